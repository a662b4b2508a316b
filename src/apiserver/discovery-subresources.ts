// What discovery says about each subresource: the kind it takes or returns and its verbs, as
// kube-apiserver reports them (e.g. `deployments/scale` answers autoscaling/v1 Scale, `pods/exec`
// is reached with get or create on PodExecOptions). Shared by discovery and the OpenAPI paths.
import type { ResourceInfo, Subresource } from '../api/resources.js';

export interface SubresourceInfo {
  name: Subresource;
  /** Group and version of `kind` when it differs from the parent resource's (Scale, Eviction). */
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
}

const PROXY_VERBS = ['create', 'delete', 'get', 'patch', 'update'];

export function subresourceInfo(res: ResourceInfo, name: Subresource): SubresourceInfo {
  switch (name) {
    case 'status':
      return { name, kind: res.kind, verbs: ['get', 'patch', 'update'] };
    case 'scale':
      return { name, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
    case 'log':
      return { name, kind: 'Pod', verbs: ['get'] };
    case 'exec':
      return { name, kind: 'PodExecOptions', verbs: ['create', 'get'] };
    case 'attach':
      return { name, kind: 'PodAttachOptions', verbs: ['create', 'get'] };
    case 'portforward':
      return { name, kind: 'PodPortForwardOptions', verbs: ['create', 'get'] };
    case 'proxy':
      return { name, kind: `${res.kind}ProxyOptions`, verbs: PROXY_VERBS };
    case 'ephemeralcontainers':
      return { name, kind: 'Pod', verbs: ['get', 'patch', 'update'] };
    case 'binding':
      return { name, kind: 'Binding', verbs: ['create'] };
    case 'eviction':
      return { name, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] };
  }
}

/** The resource's subresources in the order kube-apiserver lists them (alphabetical). */
export function subresourcesOf(res: ResourceInfo): SubresourceInfo[] {
  return [...res.subresources].sort().map((s) => subresourceInfo(res, s));
}
