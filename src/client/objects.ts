// Small helpers on objects that the client, the cache and the informer share.
import type { KubeObject } from '../api/object.js';
import { apiVersionOf, type ResourceInfo } from '../api/resources.js';

/** Lists over HTTP carry items without kind/apiVersion; the client puts them back so every object is self-describing. */
export function stampKind(res: ResourceInfo, obj: KubeObject): void {
  obj.kind ??= res.kind;
  obj.apiVersion ??= apiVersionOf(res);
}

/** client-go's MetaNamespaceKeyFunc: "namespace/name", or "name" for cluster-scoped objects. */
export function objectKey(obj: KubeObject): string {
  const m = obj.metadata ?? {};
  const name = m.name ?? '';
  return m.namespace ? `${m.namespace}/${name}` : name;
}

/** The inverse of objectKey. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
