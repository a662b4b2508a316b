// The resources kubesvc serves: the single source for discovery, OpenAPI, routing, storage keys,
// Table printing and kubectl short names. Adding a kind starts here.

export type Subresource = 'status' | 'scale' | 'log' | 'exec' | 'attach' | 'portforward' | 'proxy' | 'binding' | 'eviction' | 'ephemeralcontainers';

export interface ResourceInfo {
  /** API group ('' for core). */
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** Lower-case plural used in URLs and storage keys. */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: Subresource[];
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function r(
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  extra: Partial<Pick<ResourceInfo, 'shortNames' | 'categories' | 'subresources' | 'verbs'>> = {},
): ResourceInfo {
  return {
    group,
    version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames: extra.shortNames ?? [],
    categories: extra.categories ?? [],
    verbs: extra.verbs ?? ALL_VERBS,
    subresources: extra.subresources ?? [],
  };
}

export const RESOURCES: readonly ResourceInfo[] = [
  r('', 'v1', 'Namespace', 'namespaces', false, {
    shortNames: ['ns'],
    subresources: ['status'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  }),
  r('', 'v1', 'Node', 'nodes', false, { shortNames: ['no'], subresources: ['status', 'proxy'] }),
  r('', 'v1', 'Pod', 'pods', true, {
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['status', 'log', 'exec', 'attach', 'portforward', 'binding', 'eviction', 'ephemeralcontainers'],
  }),
  r('', 'v1', 'Service', 'services', true, {
    shortNames: ['svc'],
    categories: ['all'],
    subresources: ['status', 'proxy'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  }),
  r('', 'v1', 'Endpoints', 'endpoints', true, { shortNames: ['ep'] }),
  r('', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }),
  r('', 'v1', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  r('', 'v1', 'Secret', 'secrets', true),
  r('', 'v1', 'ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'] }),
  r('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', true),
  r('apps', 'v1', 'Deployment', 'deployments', true, {
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: ['status', 'scale'],
  }),
  r('apps', 'v1', 'ReplicaSet', 'replicasets', true, {
    shortNames: ['rs'],
    categories: ['all'],
    subresources: ['status', 'scale'],
  }),
  r('apps', 'v1', 'StatefulSet', 'statefulsets', true, {
    shortNames: ['sts'],
    categories: ['all'],
    subresources: ['status', 'scale'],
  }),
  r('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
  // Reviews: create-only questions answered at once and never stored (kubectl auth whoami /
  // can-i). There is no authentication or authorization here, so every caller is an admin.
  r('authentication.k8s.io', 'v1', 'SelfSubjectReview', 'selfsubjectreviews', false, { verbs: ['create'] }),
  r('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', false, { verbs: ['create'] }),
  r('authorization.k8s.io', 'v1', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', false, { verbs: ['create'] }),
];

/** A review kind: POST answers it, nothing is stored, and it has no list kind. */
export function isReview(res: Pick<ResourceInfo, 'verbs'>): boolean {
  return res.verbs.length === 1 && res.verbs[0] === 'create';
}

// Endpoints' singular is "endpoints" in Kubernetes discovery.
for (const res of RESOURCES) if (res.kind === 'Endpoints') res.singular = 'endpoints';

export function apiVersionOf(res: Pick<ResourceInfo, 'group' | 'version'>): string {
  return res.group ? `${res.group}/${res.version}` : res.version;
}

export function findByPlural(group: string, version: string, plural: string): ResourceInfo | undefined {
  return RESOURCES.find((x) => x.group === group && x.version === version && x.plural === plural);
}

export function findByKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return RESOURCES.find((x) => apiVersionOf(x) === apiVersion && x.kind === kind);
}

/**
 * Storage key layout, the same for every backend:
 *   /registry/<group or "core">/<plural>/<namespace>/<name>   (namespaced)
 *   /registry/<group or "core">/<plural>/<name>               (cluster-scoped)
 * A prefix ending in "/" selects a collection (all namespaces, or one namespace).
 */
export function storagePrefix(res: ResourceInfo, namespace?: string): string {
  const base = `/registry/${res.group || 'core'}/${res.plural}/`;
  return res.namespaced && namespace ? `${base}${namespace}/` : base;
}

export function storageKey(res: ResourceInfo, namespace: string | undefined, name: string): string {
  return `${storagePrefix(res, res.namespaced ? namespace : undefined)}${name}`;
}
