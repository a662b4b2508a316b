// Reads at a recent past revision R without the disk: the current index with the events after R
// undone. The first event after R on a key carries, as prevKv, exactly that key's value at R (null:
// absent at R). Paged LISTs read every page at the first page's revision, so while writes keep
// landing (leases, status updates) this keeps `kubectl get` of thousands of objects in memory.

import { compareKeys } from '../internal/key-order.js';
import type { SortedKeys } from '../internal/sorted-keys.js';
import type { KV, WatchEvent } from '../types.js';

/** Each touched key's value at R, from the events after R (revision order). */
export function valuesAtBefore(eventsAfter: WatchEvent[]): Map<string, KV | null> {
  const at = new Map<string, KV | null>();
  for (const ev of eventsAfter) if (!at.has(ev.kv.key)) at.set(ev.kv.key, ev.prevKv);
  return at;
}

export interface PastRange {
  items: KV[];
  remaining: number;
}

/**
 * Range under `prefix` after `startAfter` as of R, given the current index and `past` =
 * valuesAtBefore(events after R under `prefix`).
 */
export function rangeInPast(
  keys: SortedKeys,
  index: Map<string, KV>,
  past: Map<string, KV | null>,
  prefix: string,
  startAfter: string | undefined,
  limit: number,
): PastRange {
  const [start, end] = keys.prefixSpan(prefix, startAfter);
  const inSpan = (k: string) => k.startsWith(prefix) && (startAfter === undefined || compareKeys(k, startAfter) > 0);
  // Keys that existed at R but are gone now, and how many current keys did not exist at R.
  const revived: string[] = [];
  let absentAtR = 0;
  for (const [k, v] of past) {
    if (!inSpan(k)) continue;
    if (index.has(k)) {
      if (v === null) absentAtR++;
    } else if (v !== null) {
      revived.push(k);
    }
  }
  revived.sort(compareKeys);
  const total = end - start - absentAtR + revived.length;
  const max = limit > 0 ? Math.min(limit, total) : total;
  const items: KV[] = [];
  let i = start;
  let j = 0;
  while (items.length < max) {
    const fromIndex = i < end ? keys.at(i) : undefined;
    const fromPast = revived[j];
    if (fromPast !== undefined && (fromIndex === undefined || compareKeys(fromPast, fromIndex) < 0)) {
      items.push({ ...(past.get(fromPast) as KV) });
      j++;
      continue;
    }
    if (fromIndex === undefined) break;
    i++;
    const v = past.has(fromIndex) ? past.get(fromIndex) : index.get(fromIndex);
    if (v) items.push({ ...v });
  }
  return { items, remaining: total - items.length };
}
