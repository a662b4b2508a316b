// Object metadata mechanics shared by every kind: names, uids, timestamps, the stored encoding,
// and the metadata validation kube-apiserver applies to all objects (ValidateObjectMeta).
import { randomInt, randomUUID } from 'node:crypto';
import type { KubeObject, ObjectMeta, Stored } from '../api/object.js';
import type { ResourceInfo } from '../api/resources.js';
import { apiVersionOf } from '../api/resources.js';
import type { FieldError } from '../api/field-errors.js';
import * as fe from '../api/field-errors.js';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../api/validation/names.js';
import type { KV } from '../store/types.js';

/** ObjectMeta from kubernetes-types is read-only; the registry is the one place that writes it. */
export type WritableMeta = { -readonly [K in keyof ObjectMeta]: ObjectMeta[K] };

export function wmeta(obj: KubeObject): WritableMeta {
  return (obj.metadata ??= {}) as WritableMeta;
}

// apimachinery's utilrand alphabet: no vowels (no words) and no look-alikes (0/o, 1/l, 3/e).
const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const GENERATE_SUFFIX_LEN = 5;
const MAX_GENERATE_PREFIX = 63 - GENERATE_SUFFIX_LEN;

export function generateName(prefix: string): string {
  let base = prefix;
  if (base.length > MAX_GENERATE_PREFIX) base = base.slice(0, MAX_GENERATE_PREFIX);
  let s = base;
  for (let i = 0; i < GENERATE_SUFFIX_LEN; i++) s += GENERATE_ALPHABET[randomInt(GENERATE_ALPHABET.length)];
  return s;
}

export function newUid(): string {
  return randomUUID();
}

/** RFC 3339 with second precision, as metav1.Time marshals. */
export function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Turns a stored KV into the API object: resourceVersion is the key's modRevision. */
export function decode(kv: KV, revision = kv.modRevision): Stored {
  const obj = JSON.parse(kv.value) as Stored;
  wmeta(obj).resourceVersion = String(revision);
  return obj;
}

/** What is stored: the object without resourceVersion (the store's revision is the truth). */
export function encode(obj: KubeObject): string {
  const copy = { ...obj, metadata: { ...obj.metadata } };
  delete copy.metadata.resourceVersion;
  return JSON.stringify(copy);
}

/**
 * Removes members whose value is null, at every depth (not array elements): decoding JSON into
 * Go structs turns them into zero values that are then omitted, so kube-apiserver never stores
 * them (kubectl sends `creationTimestamp: null`, for one).
 */
export function dropNulls<T>(v: T): T {
  if (Array.isArray(v)) {
    for (const x of v) dropNulls(x);
  } else if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (o[k] === null) delete o[k];
      else dropNulls(o[k]);
    }
  }
  return v;
}

/** Stable JSON (sorted keys) for detecting no-op writes regardless of key order. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * `canonical(a) === canonical(b)` without building either string: members whose value is
 * undefined count as absent, key order does not matter, array elements compare in order (an
 * undefined element as null). Stops at the first difference, and most updates differ early.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const ao = a !== null && typeof a === 'object';
  const bo = b !== null && typeof b === 'object';
  if (!ao || !bo) return !ao && !bo && canonical(a) === canonical(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k of Object.keys(x)) {
    if (x[k] === undefined) continue;
    n++;
    if (y[k] === undefined || !Object.prototype.hasOwnProperty.call(y, k) || !sameJson(x[k], y[k])) return false;
  }
  for (const k of Object.keys(y)) if (y[k] !== undefined) n--;
  return n === 0;
}

/** Equality of two objects ignoring resourceVersion and managedFields (bookkeeping, not content). */
export function sameContent(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const m = { ...o.metadata };
    delete m.resourceVersion;
    delete m.managedFields;
    return { ...o, metadata: m };
  };
  return sameJson(strip(a), strip(b));
}

/** Which name rule a kind uses (Service names are DNS-1035 labels, Namespaces DNS-1123 labels). */
function nameRule(res: ResourceInfo): (v: string) => string[] {
  if (res.group === '' && res.plural === 'services') return isDNS1035Label;
  if (res.group === '' && res.plural === 'namespaces') return isDNS1123Label;
  return isDNS1123Subdomain;
}

/** ValidateObjectMeta: name, namespace presence, labels and annotations. */
export function validateObjectMeta(res: ResourceInfo, obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const m = obj.metadata ?? {};
  if (!m.name) errs.push(fe.required('metadata.name', 'name or generateName is required'));
  else for (const msg of nameRule(res)(m.name)) errs.push(fe.invalid('metadata.name', m.name, msg));
  if (res.namespaced) {
    if (!m.namespace) errs.push(fe.required('metadata.namespace', ''));
  } else if (m.namespace) {
    errs.push(fe.forbidden('metadata.namespace', 'not allowed on this type'));
  }
  for (const [k, v] of Object.entries(m.labels ?? {})) {
    for (const msg of isQualifiedName(k)) errs.push(fe.invalid('metadata.labels', k, msg));
    if (typeof v !== 'string') errs.push(fe.invalid(`metadata.labels`, v, 'must be a string'));
    else for (const msg of isValidLabelValue(v)) errs.push(fe.invalid('metadata.labels', v, msg));
  }
  let annoBytes = 0;
  for (const [k, v] of Object.entries(m.annotations ?? {})) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(fe.invalid('metadata.annotations', k, msg));
    annoBytes += k.length + String(v).length;
  }
  // TotalAnnotationSizeLimitB = 256 KiB
  if (annoBytes > 256 * 1024) errs.push(fe.tooLong('metadata.annotations', '', 256 * 1024));
  return errs;
}

/** Sets apiVersion/kind on an object served for `res`. */
export function stampKind(res: ResourceInfo, obj: KubeObject): void {
  obj.apiVersion = apiVersionOf(res);
  obj.kind = res.kind;
}
