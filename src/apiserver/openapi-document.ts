// The OpenAPI v3 documents: one per served group-version (its paths, and the component schemas
// those paths reach, nothing more) and the root index that names each document by a URL carrying
// the document's hash. Documents depend only on RESOURCES and the generated schemas, so each is
// built once per process.
import { createHash } from 'node:crypto';
import { RESOURCES } from '../api/resources.js';
import { SCHEMAS, SCHEMA_REF_PREFIX, type Schema } from '../api/openapi/schemas.js';
import { servedGroupVersions, type GroupVersion } from './discovery-documents.js';
import { resourcePaths, type PathItem } from './openapi-paths.js';
import { VERSION_INFO } from './version.js';

/** info.version: the same gitVersion /version reports, as kube-apiserver does. */
export const OPENAPI_INFO_VERSION = VERSION_INFO.gitVersion;

/** `api/v1`, `apis/apps/v1`: a group-version's key in the root index and in its URL. */
export function gvKey(gv: GroupVersion): string {
  return gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`;
}

function collectRefs(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, into);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(SCHEMA_REF_PREFIX)) into.add(v.slice(SCHEMA_REF_PREFIX.length));
      else collectRefs(v, into);
    }
  }
}

/** The named schemas and everything they reference, sorted by name. */
export function schemaClosure(start: Iterable<string>): Record<string, Schema> {
  const seen = new Set<string>();
  const queue = [...start];
  while (queue.length) {
    const name = queue.pop() as string;
    if (seen.has(name)) continue;
    const schema = SCHEMAS[name];
    if (!schema) throw new Error(`OpenAPI schema ${name} is not generated; run scripts/gen-openapi.ts`);
    seen.add(name);
    const refs = new Set<string>();
    collectRefs(schema, refs);
    queue.push(...refs);
  }
  return Object.fromEntries([...seen].sort().map((n) => [n, SCHEMAS[n]]));
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, PathItem>;
  components: { schemas: Record<string, Schema> };
}

/** The document of one group-version. */
export function groupVersionDocument(gv: GroupVersion): OpenApiDocument {
  const paths: Record<string, PathItem> = {};
  for (const r of RESOURCES) {
    if (r.group === gv.group && r.version === gv.version) Object.assign(paths, resourcePaths(r));
  }
  const sortedPaths = Object.fromEntries(Object.keys(paths).sort().map((p) => [p, paths[p]]));
  const refs = new Set<string>();
  collectRefs(sortedPaths, refs);
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: OPENAPI_INFO_VERSION },
    paths: sortedPaths,
    components: { schemas: schemaClosure(refs) },
  };
}

export interface Rendered {
  json: string;
  /** Upper-case hex SHA-512 of `json`, as kube-openapi computes it (unquoted). */
  hash: string;
}

function render(doc: unknown): Rendered {
  const json = JSON.stringify(doc);
  return { json, hash: createHash('sha512').update(json).digest('hex').toUpperCase() };
}

let cache: { docs: Map<string, Rendered>; root: Rendered } | undefined;

function build() {
  if (!cache) {
    const docs = new Map<string, Rendered>();
    for (const gv of servedGroupVersions()) docs.set(gvKey(gv), render(groupVersionDocument(gv)));
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const [key, doc] of [...docs].sort(([a], [b]) => (a < b ? -1 : 1))) paths[key] = { serverRelativeURL: serverRelativeURL(key, doc.hash) };
    cache = { docs, root: render({ paths }) };
  }
  return cache;
}

export function serverRelativeURL(key: string, hash: string): string {
  return `/openapi/v3/${key}?hash=${hash}`;
}

/** GET /openapi/v3. */
export function rootDocument(): Rendered {
  return build().root;
}

/** GET /openapi/v3/<key>, or undefined when the group-version is not served. */
export function renderedGroupVersion(key: string): Rendered | undefined {
  return build().docs.get(key);
}

/** Every served group-version's key, e.g. for tests. */
export function documentKeys(): string[] {
  return servedGroupVersions().map(gvKey);
}
