// Strategic merge patch (application/strategic-merge-patch+json), following
// k8s.io/apimachinery/pkg/util/strategicpatch as the apiserver runs it: lists tagged with a merge
// key merge element-wise, tagged primitive lists merge as sets, everything else is replaced; the
// directives $patch (replace|delete|merge), $retainKeys, $setElementOrder/<list> and
// $deleteFromPrimitiveList/<list> are honoured; null deletes a key. Inputs are never mutated.
import { deepEqual, goFormat, isObject, kindOf, type Json, type JsonObject } from './json.js';
import type { FieldSchema, TypeSchema } from './merge-keys.js';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

/**
 * A malformed strategic merge patch. `status` is what kube-apiserver answers: 400 for the
 * mergepatch format errors it maps to BadRequest, 422 for lists of lists, and 500 for the rest,
 * which it passes through unmapped (missing merge key, unknown $patch, type mismatches).
 */
export class PatchFormatError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 422 | 500 = 500,
  ) {
    super(message);
    this.name = 'PatchFormatError';
  }
}

const badPatchType = (t: unknown, m: unknown) => new PatchFormatError(`unknown patch type: ${goFormat(t)} in map: ${goFormat(m)}`);
const noMergeKey = (m: unknown, k: string) => new PatchFormatError(`map: ${goFormat(m)} does not contain declared merge key: ${k}`);
const badArgType = (expected: string, actual: unknown) => new PatchFormatError(`expected a ${expected}, but received a ${kindOf(actual)}`);

export function strategicMergePatch(original: JsonObject, patch: JsonObject, schema: TypeSchema): JsonObject {
  return mergeMap(structuredClone(original), structuredClone(patch), schema);
}

function mergeMap(original: JsonObject, patch: JsonObject, schema: TypeSchema | undefined): JsonObject {
  if (Object.prototype.hasOwnProperty.call(patch, DIRECTIVE)) {
    const d = patch[DIRECTIVE];
    if (d === 'replace') {
      delete patch[DIRECTIVE];
      return removeDirectives(patch) as JsonObject;
    }
    if (d === 'delete') return {};
    throw badPatchType(d, patch);
  }
  applyRetainKeys(original, patch);
  mergeOrderedLists(original, patch, schema);

  for (const key of Object.keys(patch)) {
    const patchV = patch[key];
    let k = key;
    let isDeleteList = false;
    if (key.startsWith(DELETE_PRIMITIVE)) {
      k = key.slice(DELETE_PRIMITIVE.length);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete original[k];
      continue;
    }
    const field = schema?.[k];
    if (!Object.prototype.hasOwnProperty.call(original, k) || kindOf(original[k]) !== kindOf(patchV)) {
      if (isDeleteList) continue;
      discardNulls(patchV);
      const v = removeDirectives(patchV);
      if (v === undefined) delete original[k];
      else original[k] = v;
      continue;
    }
    const origV = original[k];
    if (isObject(origV) && isObject(patchV)) {
      original[k] = mergeMap(origV, patchV, field?.type);
    } else if (Array.isArray(origV) && Array.isArray(patchV)) {
      original[k] = mergeSliceHandler(origV, patchV, field, k, isDeleteList);
    } else {
      const v = removeDirectives(patchV);
      if (v === undefined) delete original[k];
      else original[k] = v;
    }
  }
  return original;
}

function mergeSliceHandler(original: Json[], patch: Json[], field: FieldSchema | undefined, name: string, isDeleteList: boolean): Json[] {
  if (field?.list || isDeleteList) return mergeSlice(original, patch, field, name, isDeleteList);
  // Untagged lists are atomic: the patch replaces them.
  return (removeDirectives(patch) as Json[] | undefined) ?? [];
}

/** $retainKeys: drop every key of `original` not listed; the patch may only set listed keys. */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.prototype.hasOwnProperty.call(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw new PatchFormatError('invalid patch format of retainKeys', 400);
  const keep = new Set(list.map((v) => String(v)));
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_PRIMITIVE) || k.startsWith(SET_ORDER)) continue;
    if (!keep.has(k)) throw new PatchFormatError('invalid patch format of retainKeys', 400);
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** Process each $setElementOrder/<list> together with its list, then drop both from the patch. */
function mergeOrderedLists(original: JsonObject, patch: JsonObject, schema: TypeSchema | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw badArgType('slice', order);
    const listKey = key.slice(SET_ORDER.length);
    const field = schema?.[listKey];
    const mergeKey = field?.mergeKey ?? '';
    const hasOrig = Object.prototype.hasOwnProperty.call(original, listKey);
    const hasPatch = Object.prototype.hasOwnProperty.call(patch, listKey);
    const origList = hasOrig ? original[listKey] : undefined;
    const patchList = hasPatch ? patch[listKey] : undefined;
    if (hasOrig && !Array.isArray(origList)) throw badArgType('slice', origList);
    if (hasPatch && !Array.isArray(patchList)) throw badArgType('slice', patchList);
    validateOrderList(patchList as Json[] | undefined, order, mergeKey);

    let merged: Json[];
    if (hasOrig && !hasPatch) merged = origList as Json[];
    else if (!hasOrig && hasPatch) merged = (removeDirectives(patchList as Json[]) as Json[]) ?? [];
    else if (hasOrig && hasPatch) merged = mergeSliceHandler(origList as Json[], patchList as Json[], field, listKey, false);
    else continue;

    const isMap = [...((origList as Json[]) ?? []), ...((patchList as Json[]) ?? [])].some(isObject);
    const [inOrder, serverOnly] = partition(merged, order, mergeKey, isMap);
    original[listKey] = normalizeElementOrder(inOrder, serverOnly, order, (origList as Json[]) ?? [], mergeKey, isMap);
    delete patch[listKey];
  }
}

/** The patch list's elements must appear in $setElementOrder, in the same relative order. */
function validateOrderList(patchList: Json[] | undefined, order: Json[], mergeKey: string): void {
  if (!patchList || patchList.length === 0 || order.length === 0) return;
  const items = patchList.filter((x) => !(isObject(x) && Object.prototype.hasOwnProperty.call(x, DIRECTIVE)));
  let pi = 0;
  let oi = 0;
  while (pi < items.length && oi < order.length) {
    if (deepEqual(keyOf(items[pi], mergeKey, isObject(items[pi])), keyOf(order[oi], mergeKey, isObject(order[oi])))) pi++;
    oi++;
  }
  if (pi < items.length) {
    throw new PatchFormatError(`The order in patch list:\n${goFormat(patchList)}\n doesn't match ${SET_ORDER} list:\n${goFormat(order)}\n`);
  }
}

function mergeSlice(original: Json[], patch: Json[], field: FieldSchema | undefined, name: string, isDeleteList: boolean): Json[] {
  if (original.length === 0 && patch.length === 0) return original;
  const all = [...original, ...patch];
  const isMap = all.some(isObject);
  if (isMap && !all.every(isObject)) throw new PatchFormatError('lists of mixed element types are not supported');
  if (all.some(Array.isArray)) throw new PatchFormatError('lists of lists are not supported', 422);
  const mergeKey = field?.mergeKey ?? '';
  let merged: Json[];
  let orig = original;
  let pat = patch;
  if (!isMap) {
    if (isDeleteList) return original.filter((v) => !patch.some((p) => deepEqual(p, v)));
    merged = [];
    for (const v of all) if (!merged.some((m) => deepEqual(m, v))) merged.push(v);
  } else {
    if (!mergeKey) throw new PatchFormatError(`cannot merge lists without merge key for ${name}`);
    [orig, pat] = mergeSpecialElements(original as JsonObject[], patch as JsonObject[], mergeKey);
    merged = mergeByKey(orig as JsonObject[], pat as JsonObject[], mergeKey, field?.type);
  }
  const [inPatch, serverOnly] = partition(merged, pat, mergeKey, isMap);
  return normalizeElementOrder(inPatch, serverOnly, pat, orig, mergeKey, isMap);
}

/** Elements with $patch: delete remove their match; $patch: replace makes the rest of the patch the list. */
function mergeSpecialElements(original: JsonObject[], patch: JsonObject[], mergeKey: string): [JsonObject[], JsonObject[]] {
  const plain: JsonObject[] = [];
  let replace = false;
  let orig = original;
  for (const item of patch) {
    if (!Object.prototype.hasOwnProperty.call(item, DIRECTIVE)) {
      plain.push(item);
      continue;
    }
    const d = item[DIRECTIVE];
    if (d === 'delete') {
      if (!Object.prototype.hasOwnProperty.call(item, mergeKey)) throw noMergeKey(item, mergeKey);
      orig = orig.filter((o) => !deepEqual(o[mergeKey], item[mergeKey]));
    } else if (d === 'replace') {
      replace = true;
    } else if (d === 'merge') {
      throw new PatchFormatError('merging lists cannot yet be specified in the patch');
    } else {
      throw badPatchType(d, item);
    }
  }
  return replace ? [plain, []] : [orig, plain];
}

function mergeByKey(original: JsonObject[], patch: JsonObject[], mergeKey: string, type: TypeSchema | undefined): JsonObject[] {
  const out = [...original];
  for (const item of patch) {
    if (!Object.prototype.hasOwnProperty.call(item, mergeKey)) throw noMergeKey(item, mergeKey);
    const i = out.findIndex((o) => deepEqual(o[mergeKey], item[mergeKey]));
    if (i >= 0) out[i] = mergeMap(out[i], item, type);
    else out.push(mergeMap({}, item, type));
  }
  return out;
}

function keyOf(item: Json, mergeKey: string, isMap: boolean): Json | undefined {
  return isMap ? (isObject(item) ? item[mergeKey] : undefined) : item;
}

function indexIn(list: Json[], item: Json, mergeKey: string, isMap: boolean): number {
  const v = keyOf(item, mergeKey, isMap);
  return list.findIndex((x) => deepEqual(keyOf(x, mergeKey, isMap), v));
}

/** Split merged items into those the patch (or order list) names and those only the server has. */
function partition(merged: Json[], by: Json[], mergeKey: string, isMap: boolean): [Json[], Json[]] {
  const named: Json[] = [];
  const serverOnly: Json[] = [];
  for (const item of merged) (indexIn(by, item, mergeKey, isMap) >= 0 ? named : serverOnly).push(item);
  return [named, serverOnly];
}

/**
 * The final order: patch items in patch order; server-only items keep their live positions
 * relative to the patch items where both are known (strategicpatch.normalizeElementOrder).
 */
function normalizeElementOrder(patchItems: Json[], serverOnly: Json[], patchOrder: Json[], serverOrder: Json[], mergeKey: string, isMap: boolean): Json[] {
  const sortBy = (items: Json[], order: Json[]) =>
    items
      .map((item, i) => ({ item, i, at: indexIn(order, item, mergeKey, isMap) }))
      .sort((a, b) => (a.at >= 0 && b.at >= 0 ? a.at - b.at : a.i - b.i))
      .map((x) => x.item);
  const right = sortBy(patchItems, patchOrder);
  const left = sortBy(serverOnly, serverOrder);
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, isMap);
      const ri = indexIn(serverOrder, right[j], mergeKey, isMap);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/** Strip directive markers from a value taken wholesale from the patch; undefined = drop it. */
function removeDirectives(v: Json): Json | undefined {
  if (Array.isArray(v)) {
    const out: Json[] = [];
    for (const x of v) {
      const y = removeDirectives(x);
      if (y !== undefined) out.push(y);
    }
    return out;
  }
  if (isObject(v)) {
    if (Object.prototype.hasOwnProperty.call(v, DIRECTIVE)) return undefined;
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === RETAIN_KEYS || k.startsWith(SET_ORDER) || k.startsWith(DELETE_PRIMITIVE)) continue;
      const y = removeDirectives(x);
      if (y !== undefined) out[k] = y;
    }
    return out;
  }
  return v;
}

/** Nulls inside a value the original lacks mean nothing (IgnoreUnmatchedNulls). */
function discardNulls(v: Json): void {
  if (Array.isArray(v)) v.forEach(discardNulls);
  else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null) delete v[k];
      else discardNulls(x);
    }
  }
}
