// The discovery documents, all derived from RESOURCES: legacy discovery (APIVersions,
// APIGroupList, APIGroup, APIResourceList) and aggregated discovery (apidiscovery.k8s.io
// APIGroupDiscoveryList, the one-request form kubectl asks for first). Field names and ordering
// follow what kube-apiserver serves, because kubectl and client-go parse them strictly.
import { RESOURCES, apiVersionOf, type ResourceInfo } from '../api/resources.js';
import { subresourcesOf } from './discovery-subresources.js';

export interface GroupVersion {
  group: string;
  version: string;
}

/** The served group-versions, core first, then groups in the order RESOURCES introduces them. */
export function servedGroupVersions(): GroupVersion[] {
  const out: GroupVersion[] = [];
  for (const r of RESOURCES) {
    if (!out.some((gv) => gv.group === r.group && gv.version === r.version)) out.push({ group: r.group, version: r.version });
  }
  return out.sort((a, b) => Number(a.group !== '') - Number(b.group !== ''));
}

export function servedGroups(): string[] {
  return [...new Set(servedGroupVersions().filter((gv) => gv.group !== '').map((gv) => gv.group))];
}

function resourcesOf(gv: GroupVersion): ResourceInfo[] {
  return RESOURCES.filter((r) => r.group === gv.group && r.version === gv.version);
}

export function isServedGroupVersion(group: string, version: string): boolean {
  return servedGroupVersions().some((gv) => gv.group === group && gv.version === version);
}

// ---- legacy discovery ------------------------------------------------------------------------

export interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

export interface APIGroup {
  kind?: 'APIGroup';
  apiVersion?: 'v1';
  name: string;
  versions: GroupVersionForDiscovery[];
  preferredVersion: GroupVersionForDiscovery;
}

export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

export interface APIResourceList {
  kind: 'APIResourceList';
  apiVersion?: 'v1';
  groupVersion: string;
  resources: APIResource[];
}

/** GET /api: the legacy core group's versions. */
export function apiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: servedGroupVersions().filter((gv) => gv.group === '').map((gv) => gv.version),
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupEntry(group: string): APIGroup {
  const versions = servedGroupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({ groupVersion: `${group}/${gv.version}`, version: gv.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

/** GET /apis/<group>. */
export function apiGroup(group: string): APIGroup {
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group) };
}

/** GET /apis: every named group (the core group is only under /api). */
export function apiGroupList() {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: servedGroups().map(groupEntry) };
}

/** GET /api/v1 or /apis/<group>/<version>: resources and subresources, sorted by name. */
export function apiResourceList(gv: GroupVersion): APIResourceList {
  const entries: APIResource[] = [];
  for (const r of resourcesOf(gv)) {
    const main: APIResource = { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: [...r.verbs] };
    if (r.shortNames.length) main.shortNames = [...r.shortNames];
    if (r.categories.length) main.categories = [...r.categories];
    entries.push(main);
    for (const s of subresourcesOf(r)) {
      const sub: APIResource = { name: `${r.plural}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: [...s.verbs] };
      if (s.group !== undefined) {
        // Keep the key order kube-apiserver uses: group and version sit before kind.
        const { kind, verbs, ...head } = sub;
        entries.push({ ...head, group: s.group, version: s.version, kind, verbs });
      } else {
        entries.push(sub);
      }
    }
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const list: APIResourceList = { kind: 'APIResourceList', groupVersion: apiVersionOf(gv), resources: entries };
  // kube-apiserver sets apiVersion on named groups' lists but not on /api/v1's.
  return gv.group ? { kind: list.kind, apiVersion: 'v1', groupVersion: list.groupVersion, resources: entries } : list;
}

// ---- aggregated discovery (apidiscovery.k8s.io) -----------------------------------------------

export type AggregatedVersion = 'v2' | 'v2beta1';

export interface ResponseKind {
  group: string;
  version: string;
  kind: string;
}

export interface APISubresourceDiscovery {
  subresource: string;
  responseKind: ResponseKind;
  verbs: string[];
}

export interface APIResourceDiscovery {
  resource: string;
  responseKind: ResponseKind;
  scope: 'Namespaced' | 'Cluster';
  singularResource: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: APISubresourceDiscovery[];
}

export interface APIVersionDiscovery {
  version: string;
  resources: APIResourceDiscovery[];
  freshness: 'Current' | 'Stale';
}

export interface APIGroupDiscovery {
  metadata: { name?: string; creationTimestamp: null };
  versions: APIVersionDiscovery[];
}

export interface APIGroupDiscoveryList {
  kind: 'APIGroupDiscoveryList';
  apiVersion: string;
  metadata: Record<string, never>;
  items: APIGroupDiscovery[];
}

function resourceDiscovery(r: ResourceInfo): APIResourceDiscovery {
  // An empty group and version in responseKind mean "the same as the resource's own".
  const out: APIResourceDiscovery = {
    resource: r.plural,
    responseKind: { group: '', version: '', kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: [...r.verbs],
  };
  if (r.shortNames.length) out.shortNames = [...r.shortNames];
  if (r.categories.length) out.categories = [...r.categories];
  const subs = subresourcesOf(r);
  if (subs.length) {
    out.subresources = subs.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group ?? '', version: s.version ?? '', kind: s.kind },
      verbs: [...s.verbs],
    }));
  }
  return out;
}

function groupDiscovery(group: string): APIGroupDiscovery {
  const versions = servedGroupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({
      version: gv.version,
      resources: resourcesOf(gv)
        .map(resourceDiscovery)
        .sort((a, b) => (a.resource < b.resource ? -1 : 1)),
      freshness: 'Current' as const,
    }));
  return { metadata: group ? { name: group, creationTimestamp: null } : { creationTimestamp: null }, versions };
}

/** GET /api (`core`: the legacy group alone) or GET /apis (every named group), aggregated. */
export function aggregatedDiscovery(which: 'core' | 'groups', version: AggregatedVersion): APIGroupDiscoveryList {
  const groups = which === 'core' ? [''] : servedGroups();
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: groups.map(groupDiscovery),
  };
}
