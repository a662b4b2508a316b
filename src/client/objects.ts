// Small helpers on objects that the client, the cache and the informer share.
import type { ObjectMeta } from '../api/object.js';
import { apiVersionOf, type ResourceInfo } from '../api/resources.js';

/**
 * What the typed client and informers accept: any object with Kubernetes metadata. Wider than
 * KubeObject, whose index signature kubernetes-types' interfaces (Service, Pod, ...) do not satisfy.
 */
export interface ApiObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** Lists over HTTP carry items without kind/apiVersion; the client puts them back so every object is self-describing. */
export function stampKind(res: ResourceInfo, obj: ApiObject): void {
  obj.kind ??= res.kind;
  obj.apiVersion ??= apiVersionOf(res);
}

/** client-go's MetaNamespaceKeyFunc: "namespace/name", or "name" for cluster-scoped objects. */
export function objectKey(obj: ApiObject): string {
  const m = obj.metadata ?? {};
  const name = m.name ?? '';
  return m.namespace ? `${m.namespace}/${name}` : name;
}

/** The inverse of objectKey. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
