// Group commit, step one: decide the outcome of every txn of a batch, in arrival order, without
// touching the disk or the index. Later txns see earlier ones' writes through an overlay, so a
// batch behaves exactly like the same txns run one after another.

import type { Compare, KV, Op, TxnResult, WatchEvent } from '../types.js';
import type { LogRow } from './log-table.js';

export interface PlannedBatch {
  /** Rows to append, in revision and op order. */
  rows: LogRow[];
  /** One result per txn, in batch order. */
  outcomes: TxnResult[];
  /** Events of each revision the batch writes, for watchers. */
  committed: { revision: number; events: WatchEvent[] }[];
  /** New latest value (null = deleted) of every key the batch writes. */
  overlay: Map<string, KV | null>;
  /** The revision after the batch. */
  revision: number;
}

export function planBatch(
  txns: { compares: Compare[]; ops: Op[] }[],
  revision: number,
  latest: (key: string) => KV | null,
): PlannedBatch {
  const overlay = new Map<string, KV | null>();
  const lookup = (key: string): KV | null => (overlay.has(key) ? (overlay.get(key) as KV | null) : latest(key));
  const rows: LogRow[] = [];
  const outcomes: TxnResult[] = [];
  const committed: PlannedBatch['committed'] = [];
  let rev = revision;

  for (const t of txns) {
    if (!t.compares.every((c) => (lookup(c.key)?.modRevision ?? 0) === c.modRevision)) {
      outcomes.push({ succeeded: false, revision: rev, results: [], current: t.compares.map((c) => lookup(c.key)) });
      continue;
    }
    const next = rev + 1;
    const results: (KV | null)[] = [];
    const events: WatchEvent[] = [];
    for (const op of t.ops) {
      const prev = lookup(op.key);
      if (op.type === 'put') {
        const kv: KV = { key: op.key, value: op.value, createRevision: prev?.createRevision ?? next, modRevision: next };
        rows.push({
          revision: next,
          key: op.key,
          createRevision: kv.createRevision,
          prevRevision: prev?.modRevision ?? 0,
          value: op.value,
          deleted: false,
        });
        overlay.set(op.key, kv);
        results.push(kv);
        events.push({ type: 'put', kv, prevKv: prev });
      } else if (prev !== null) {
        // The tombstone keeps the deleted value: delete events carry it.
        const kv: KV = { key: op.key, value: prev.value, createRevision: prev.createRevision, modRevision: next };
        rows.push({
          revision: next,
          key: op.key,
          createRevision: prev.createRevision,
          prevRevision: prev.modRevision,
          value: prev.value,
          deleted: true,
        });
        overlay.set(op.key, null);
        results.push(prev);
        events.push({ type: 'delete', kv, prevKv: prev });
      } else {
        results.push(null);
      }
    }
    // Like etcd, a txn that changes nothing does not take a revision.
    if (events.length > 0) {
      rev = next;
      committed.push({ revision: rev, events });
    }
    outcomes.push({ succeeded: true, revision: rev, results, current: [] });
  }
  return { rows, outcomes, committed, overlay, revision: rev };
}
