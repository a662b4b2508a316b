// Server-side apply (application/apply-patch+yaml): merge an applied configuration into the live
// object and keep metadata.managedFields. What is implemented (see README for the limits):
// create-or-update, list merging by list-map keys, removal of fields the manager applied before
// and no longer applies (unless another manager owns them), conflict detection against other
// managers' fields with differing values (409, or taken over with force=true), and Update entries.
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import { StatusError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { apiVersionOf, type ResourceInfo } from '../resources.js';
import { fieldsOf, formatPath, fromFieldsV1, keySegment, splitPath, toFieldsV1, type FieldSet } from './fieldset.js';
import { deepEqual, isObject, type Json, type JsonObject } from './json.js';
import { listKeys, schemaForKind, type FieldSchema, type TypeSchema } from './merge-keys.js';

export interface ApplyOptions {
  fieldManager: string;
  force: boolean;
  /** Clock for managedFields timestamps (tests). */
  now?: Date;
}

/** metav1.Time: RFC 3339, second precision. */
const timestamp = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function managerLabel(e: ManagedFieldsEntry): string {
  let s = JSON.stringify(e.manager ?? '');
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += e.time ? ` using ${e.apiVersion} at ${e.time}` : ` using ${e.apiVersion}`;
  return s;
}

function conflictError(conflicts: { entry: ManagedFieldsEntry; path: string }[]): StatusError {
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${managerLabel(conflicts[0].entry)}: ${formatPath(conflicts[0].path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const m = managerLabel(c.entry);
      byManager.set(m, [...(byManager.get(m) ?? []), formatPath(c.path)]);
    }
    const lines: string[] = [];
    for (const m of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${m}:`);
      for (const p of byManager.get(m) ?? []) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, {
    causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${managerLabel(c.entry)}`, field: formatPath(c.path) })),
  });
}

/** The value at a field path, or undefined when absent. */
function valueAt(obj: Json, path: string[], schema: TypeSchema | undefined): Json | undefined {
  let cur: Json | undefined = obj;
  let sch: TypeSchema | undefined = schema;
  let field: FieldSchema | undefined;
  for (const seg of path) {
    if (cur === undefined) return undefined;
    if (seg.startsWith('f:')) {
      if (!isObject(cur)) return undefined;
      const name = seg.slice(2);
      field = sch?.[name];
      cur = Object.prototype.hasOwnProperty.call(cur, name) ? cur[name] : undefined;
      sch = field?.type;
    } else if (seg.startsWith('k:')) {
      if (!Array.isArray(cur) || !field) return undefined;
      const f: FieldSchema = field;
      cur = cur.find((it) => isObject(it) && keySegment(it, f) === seg);
    } else if (seg.startsWith('v:')) {
      if (!Array.isArray(cur)) return undefined;
      const v = JSON.parse(seg.slice(2)) as Json;
      cur = cur.some((x) => deepEqual(x, v)) ? v : undefined;
    }
  }
  return cur;
}

/** Remove the field at `path` (a struct field, a list element by key, or a set value). */
function removeAt(obj: JsonObject, path: string[], schema: TypeSchema | undefined): void {
  let cur: Json = obj;
  let sch: TypeSchema | undefined = schema;
  let field: FieldSchema | undefined;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (seg.startsWith('f:')) {
      if (!isObject(cur)) return;
      const name = seg.slice(2);
      if (last) {
        delete cur[name];
        return;
      }
      field = sch?.[name];
      sch = field?.type;
      cur = cur[name];
    } else if (seg.startsWith('k:') || seg.startsWith('v:')) {
      if (!Array.isArray(cur)) return;
      const list: Json[] = cur;
      const f = field;
      const idx = seg.startsWith('k:')
        ? list.findIndex((it) => isObject(it) && !!f && keySegment(it, f) === seg)
        : list.findIndex((x) => deepEqual(x, JSON.parse(seg.slice(2)) as Json));
      if (idx < 0) return;
      if (last) {
        list.splice(idx, 1);
        return;
      }
      cur = list[idx];
    }
    if (cur === undefined) return;
  }
}

/** Merge the applied configuration into live: objects by key, keyed lists by key, sets by union. */
function mergeApplied(live: Json | undefined, applied: Json, field: FieldSchema | undefined): Json {
  if (isObject(applied)) {
    const out: JsonObject = isObject(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(applied)) {
      if (v === null) delete out[k];
      else out[k] = mergeApplied(out[k], v, field?.type?.[k]);
    }
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(live) && field?.list === 'merge' && listKeys(field)) {
    const f = field;
    const out = [...live];
    for (const item of applied) {
      if (!isObject(item)) continue;
      const seg = keySegment(item, f);
      const i = out.findIndex((x) => isObject(x) && keySegment(x, f) === seg);
      const elemField: FieldSchema = { type: f.type };
      if (i >= 0) out[i] = mergeApplied(out[i], item, elemField);
      else out.push(mergeApplied(undefined, item, elemField));
    }
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(live) && field?.list === 'set') {
    const out = [...live];
    for (const v of applied) if (!out.some((x) => deepEqual(x, v))) out.push(v);
    return out;
  }
  return structuredClone(applied);
}

function entrySet(e: ManagedFieldsEntry): FieldSet {
  return fromFieldsV1(e.fieldsV1);
}

/** A path and everything under it. */
function covers(set: FieldSet, path: string): boolean {
  if (set.has(path)) return true;
  const prefix = path + '\u0000';
  for (const p of set) if (p.startsWith(prefix) || path.startsWith(p + '\u0000')) return true;
  return false;
}

export function applyServerSideApply(live: KubeObject | undefined, applied: KubeObject, res: ResourceInfo, opts: ApplyOptions): KubeObject {
  const schema = schemaForKind(res.kind);
  const apiVersion = apiVersionOf(res);
  const now = timestamp(opts.now ?? new Date());
  const appliedJson = structuredClone(applied) as JsonObject;
  if (isObject(appliedJson.metadata)) delete appliedJson.metadata.managedFields;
  const newSet = fieldsOf(appliedJson, schema);

  const base = (live ? structuredClone(live) : {}) as JsonObject;
  const entries: ManagedFieldsEntry[] = (live?.metadata?.managedFields ?? []).map((e) => structuredClone(e));
  const mine = entries.find((e) => e.manager === opts.fieldManager && e.operation === 'Apply' && !e.subresource);
  const prevSet = mine ? entrySet(mine) : new Set<string>();
  const others = entries.filter((e) => e !== mine);

  // Conflicts: fields another manager owns whose value this apply would change.
  const conflicts: { entry: ManagedFieldsEntry; path: string }[] = [];
  if (live) {
    for (const p of newSet) {
      const segs = splitPath(p);
      const want = valueAt(appliedJson, segs, schema);
      const have = valueAt(base, segs, schema);
      if (have === undefined || deepEqual(want, have) || isObject(want)) continue;
      for (const e of others) if (entrySet(e).has(p)) conflicts.push({ entry: e, path: p });
    }
  }
  if (conflicts.length && !opts.force) throw conflictError(conflicts);

  let merged = mergeApplied(base, appliedJson, { type: schema }) as JsonObject;
  if (live && isObject(merged.metadata) && isObject(base.metadata)) {
    // Identity fields stay as stored.
    for (const k of ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'generation']) {
      if (base.metadata[k] !== undefined) merged.metadata[k] = base.metadata[k];
    }
  }

  // Forced fields change hands; then drop what this manager stopped applying and nobody else owns.
  const replaced = new Map<ManagedFieldsEntry, ManagedFieldsEntry | null>();
  for (const e of others) {
    const s = entrySet(e);
    let changed = false;
    for (const c of conflicts) if (c.entry === e && s.delete(c.path)) changed = true;
    replaced.set(e, s.size === 0 ? null : changed ? { ...e, fieldsV1: toFieldsV1(s) } : e);
  }
  const otherSets = [...replaced.values()].filter((e): e is ManagedFieldsEntry => e !== null).map(entrySet);
  const removed = [...prevSet].filter((p) => !newSet.has(p) && !otherSets.some((s) => covers(s, p)) && !covers(newSet, p));
  // Deepest first, so removing a field inside an element happens before the element goes.
  removed.sort((a, b) => splitPath(b).length - splitPath(a).length);
  for (const p of removed) removeAt(merged, splitPath(p), schema);

  // An unchanged field set keeps its entry (and timestamp), so a repeated apply is a no-op.
  const sameSet = mine !== undefined && prevSet.size === newSet.size && [...newSet].every((p) => prevSet.has(p));
  const entry: ManagedFieldsEntry = sameSet
    ? (mine as ManagedFieldsEntry)
    : { manager: opts.fieldManager, operation: 'Apply', apiVersion, time: now, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(newSet) };
  // Keep the stored order; a new entry goes last.
  const result: ManagedFieldsEntry[] = [];
  for (const e of entries) {
    const r = e === mine ? entry : replaced.get(e);
    if (r) result.push(r);
  }
  if (!mine) result.push(entry);
  merged = setManagedFields(merged, result);
  return merged as KubeObject;
}

function setManagedFields(obj: JsonObject, entries: ManagedFieldsEntry[]): JsonObject {
  const meta = isObject(obj.metadata) ? obj.metadata : (obj.metadata = {});
  if (entries.length) meta.managedFields = entries as unknown as Json;
  else delete meta.managedFields;
  return obj;
}

/**
 * Record a non-apply write (create, update, patch) by `manager`: the fields whose values it set
 * or changed become its own (operation Update) and are taken from every other manager, as
 * kube-apiserver's field manager does. Returns `updated` with managedFields replaced.
 */
export function recordUpdate(old: KubeObject | undefined, updated: KubeObject, res: ResourceInfo, manager: string, now?: Date): KubeObject {
  const schema = schemaForKind(res.kind);
  const apiVersion = apiVersionOf(res);
  const newJson = updated as JsonObject;
  const oldJson = (old ?? {}) as JsonObject;
  const changed: FieldSet = new Set();
  for (const p of fieldsOf(newJson, schema)) {
    const segs = splitPath(p);
    if (!deepEqual(valueAt(newJson, segs, schema), valueAt(oldJson, segs, schema))) changed.add(p);
  }
  const entries: ManagedFieldsEntry[] = (updated.metadata?.managedFields ?? old?.metadata?.managedFields ?? []).map((e) => structuredClone(e));
  if (changed.size === 0) return setManagedFields(structuredClone(newJson), entries) as KubeObject;
  const result: ManagedFieldsEntry[] = [];
  let mine: ManagedFieldsEntry | undefined;
  for (const e of entries) {
    if (e.manager === manager && e.operation === 'Update' && !e.subresource) {
      mine = e;
      result.push(e);
      continue;
    }
    const s = entrySet(e);
    let touched = false;
    for (const p of changed) if (s.delete(p)) touched = true;
    if (s.size) result.push(touched ? { ...e, fieldsV1: toFieldsV1(s) } : e);
  }
  const mySet = mine ? entrySet(mine) : new Set<string>();
  for (const p of changed) mySet.add(p);
  const entry: ManagedFieldsEntry = { manager, operation: 'Update', apiVersion, time: timestamp(now ?? new Date()), fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(mySet) };
  const out = mine ? result.map((e) => (e === mine ? entry : e)) : [...result, entry];
  return setManagedFields(structuredClone(newJson), out) as KubeObject;
}

