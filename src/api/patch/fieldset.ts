// Field sets for server-side apply: which fields of an object a manager owns. A set is held as
// path strings (segments joined by NUL) and serialised as FieldsV1, the trie format kube-apiserver
// stores in metadata.managedFields: `f:<field>`, `k:<json of list-map keys>`, `v:<json value>`,
// and `.` marking a node that is itself a member (a list element) and also has children.
import { isObject, type Json, type JsonObject } from './json.js';
import { listKeys, type FieldSchema, type TypeSchema } from './merge-keys.js';

export type FieldSet = Set<string>;
const SEP = '\u0000';

export const joinPath = (segs: string[]): string => segs.join(SEP);
export const splitPath = (p: string): string[] => (p === '' ? [] : p.split(SEP));

/** Fields the field manager never tracks (identity and server-owned metadata). */
const IGNORED_META = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

/** The `k:` segment of a list element: its keys (with schema defaults) as JSON, keys sorted. */
export function keySegment(item: JsonObject, field: FieldSchema): string {
  const keys = [...(listKeys(field) ?? [])].sort();
  const o: JsonObject = {};
  for (const k of keys) {
    const v = Object.prototype.hasOwnProperty.call(item, k) ? item[k] : field.keyDefaults?.[k];
    if (v !== undefined) o[k] = v;
  }
  return `k:${JSON.stringify(o)}`;
}

/** The set of fields an object (typically an applied configuration) specifies. */
export function fieldsOf(obj: JsonObject, schema: TypeSchema): FieldSet {
  const out: FieldSet = new Set();
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'status') continue;
    if (k === 'metadata' && isObject(v)) {
      const meta: JsonObject = {};
      for (const [mk, mv] of Object.entries(v)) if (!IGNORED_META.has(mk)) meta[mk] = mv;
      if (Object.keys(meta).length) walk(meta, schema.metadata?.type, ['f:metadata'], out);
      continue;
    }
    walkField(k, v, schema[k], [], out);
  }
  return out;
}

function walk(obj: JsonObject, schema: TypeSchema | undefined, prefix: string[], out: FieldSet): void {
  for (const [k, v] of Object.entries(obj)) walkField(k, v, schema?.[k], prefix, out);
}

function walkField(k: string, v: Json, field: FieldSchema | undefined, prefix: string[], out: FieldSet): void {
  const p = [...prefix, `f:${k}`];
  if (isObject(v) && Object.keys(v).length > 0) {
    walk(v, field?.type, p, out);
  } else if (Array.isArray(v) && field?.list === 'merge' && listKeys(field)) {
    for (const item of v) {
      if (!isObject(item)) continue;
      const ip = [...p, keySegment(item, field)];
      out.add(joinPath(ip));
      walk(item, field.type, ip, out);
    }
  } else if (Array.isArray(v) && field?.list === 'set') {
    for (const item of v) out.add(joinPath([...p, `v:${JSON.stringify(item)}`]));
  } else {
    out.add(joinPath(p));
  }
}

/** FieldsV1 trie → set. */
export function fromFieldsV1(f: unknown): FieldSet {
  const out: FieldSet = new Set();
  const rec = (node: unknown, prefix: string[]) => {
    if (!isObject(node)) return;
    for (const [k, child] of Object.entries(node)) {
      if (k === '.') {
        out.add(joinPath(prefix));
        continue;
      }
      const p = [...prefix, k];
      if (isObject(child) && Object.keys(child).length > 0) rec(child, p);
      else out.add(joinPath(p));
    }
  };
  rec(f, []);
  return out;
}

/** Set → FieldsV1 trie. */
export function toFieldsV1(set: FieldSet): JsonObject {
  const root: JsonObject = {};
  const members = [...set].sort();
  for (const m of members) {
    let node = root;
    for (const seg of splitPath(m)) {
      if (!isObject(node[seg])) node[seg] = {};
      node = node[seg] as JsonObject;
    }
  }
  // A member that also has children is marked with ".".
  for (const m of members) {
    let node: JsonObject = root;
    for (const seg of splitPath(m)) node = node[seg] as JsonObject;
    if (Object.keys(node).length > 0 && !Object.prototype.hasOwnProperty.call(node, '.')) {
      const withDot: JsonObject = { '.': {} };
      for (const [k, v] of Object.entries(node)) withDot[k] = v;
      for (const k of Object.keys(node)) delete node[k];
      Object.assign(node, withDot);
    }
  }
  return root;
}

/** A path as structured-merge-diff prints it: `.spec.ports[port=80,protocol="TCP"].targetPort`. */
export function formatPath(path: string): string {
  let s = '';
  for (const seg of splitPath(path)) {
    if (seg.startsWith('f:')) s += `.${seg.slice(2)}`;
    else if (seg.startsWith('k:')) {
      const o = JSON.parse(seg.slice(2)) as JsonObject;
      s += `[${Object.entries(o)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    } else if (seg.startsWith('v:')) s += `[=${seg.slice(2)}]`;
  }
  return s;
}
