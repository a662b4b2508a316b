// The in-memory Store: full contract (history, range/get at a revision, watch from a revision,
// compaction) with nothing on disk. Used by unit tests and by `kubesvc up --store=memory`.
// Every key keeps its list of versions (tombstones included) until compaction drops the ones no
// readable revision or kept event needs.

import { assertWatchable, resolveReadRevision } from '../internal/revisions.js';
import { SortedKeys } from '../internal/sorted-keys.js';
import { assertDistinctKeys } from '../internal/txn-ops.js';
import { WatchHub } from '../internal/watch-hub.js';
import {
  FutureRevisionError,
  StoreClosedError,
  type Compare,
  type KV,
  type Op,
  type RangeOptions,
  type RangeResult,
  type Store,
  type TxnResult,
  type Watch,
  type WatchEvent,
  type WatchOptions,
} from '../types.js';

interface Version {
  modRevision: number;
  createRevision: number;
  value: string;
  deleted: boolean;
}

function toKV(key: string, v: Version): KV {
  return { key, value: v.value, createRevision: v.createRevision, modRevision: v.modRevision };
}

/** The version of a key visible at `revision` (null if absent or deleted then). */
function visibleAt(versions: Version[] | undefined, revision: number): Version | null {
  if (versions === undefined) return null;
  for (let i = versions.length - 1; i >= 0; i--) {
    const v = versions[i] as Version;
    if (v.modRevision <= revision) return v.deleted ? null : v;
  }
  return null;
}

class MemoryStore implements Store {
  private revision = 0;
  private compacted = 0;
  private closed = false;
  private readonly versions = new Map<string, Version[]>();
  /** Every key that has versions, live or tombstoned (for reads at older revisions). */
  private readonly keys = new SortedKeys();
  /** The newest value of every live key, so reads at the current revision skip the history. */
  private readonly live = new Map<string, KV>();
  private readonly liveKeys = new SortedKeys();
  /** Events in revision order, from the compacted revision on (for watches that resume). */
  private log: WatchEvent[] = [];
  private readonly hub = new WatchHub();

  private ensureOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  private latest(key: string): KV | null {
    return this.live.get(key) ?? null;
  }

  async currentRevision(): Promise<number> {
    this.ensureOpen();
    return this.revision;
  }

  async compactedRevision(): Promise<number> {
    this.ensureOpen();
    return this.compacted;
  }

  async get(key: string, revision?: number): Promise<KV | null> {
    this.ensureOpen();
    const at = resolveReadRevision(revision, this.revision, this.compacted);
    if (at === this.revision) {
      const kv = this.live.get(key);
      return kv === undefined ? null : { ...kv };
    }
    const v = visibleAt(this.versions.get(key), at);
    return v === null ? null : toKV(key, v);
  }

  async range(prefix: string, opts: RangeOptions = {}): Promise<RangeResult> {
    this.ensureOpen();
    const at = resolveReadRevision(opts.revision, this.revision, this.compacted);
    const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : Infinity;
    if (at === this.revision) {
      const [start, end] = this.liveKeys.prefixSpan(prefix, opts.startAfter);
      const stop = Math.min(end, start + limit);
      const items: KV[] = [];
      for (let i = start; i < stop; i++) items.push({ ...(this.live.get(this.liveKeys.at(i)) as KV) });
      return { items, revision: at, more: stop < end, remaining: end - stop };
    }
    const [start, end] = this.keys.prefixSpan(prefix, opts.startAfter);
    const items: KV[] = [];
    let remaining = 0;
    for (let i = start; i < end; i++) {
      const key = this.keys.at(i);
      const v = visibleAt(this.versions.get(key), at);
      if (v === null) continue;
      if (items.length < limit) items.push(toKV(key, v));
      else remaining++;
    }
    return { items, revision: at, more: remaining > 0, remaining };
  }

  async count(prefix: string): Promise<number> {
    this.ensureOpen();
    const [start, end] = this.liveKeys.prefixSpan(prefix);
    return end - start;
  }

  async txn(compares: Compare[], ops: Op[]): Promise<TxnResult> {
    this.ensureOpen();
    assertDistinctKeys(ops);
    const holds = compares.every((c) => (this.latest(c.key)?.modRevision ?? 0) === c.modRevision);
    if (!holds) {
      const current = compares.map((c) => {
        const kv = this.latest(c.key);
        return kv === null ? null : { ...kv };
      });
      return { succeeded: false, revision: this.revision, results: [], current };
    }
    // A txn that changes nothing (only deletes of absent keys) does not advance the revision, as in etcd.
    const rev = this.revision + 1;
    const events: WatchEvent[] = [];
    const results: (KV | null)[] = [];
    for (const op of ops) {
      const prev = this.latest(op.key);
      if (op.type === 'put') {
        const v: Version = { modRevision: rev, createRevision: prev?.createRevision ?? rev, value: op.value, deleted: false };
        this.addVersion(op.key, v);
        this.live.set(op.key, toKV(op.key, v));
        if (prev === null) this.liveKeys.add(op.key);
        results.push(toKV(op.key, v));
        events.push({ type: 'put', kv: toKV(op.key, v), prevKv: prev });
      } else if (prev !== null) {
        const tomb: Version = { modRevision: rev, createRevision: prev.createRevision, value: prev.value, deleted: true };
        this.addVersion(op.key, tomb);
        this.live.delete(op.key);
        this.liveKeys.delete(op.key);
        results.push({ ...prev });
        events.push({ type: 'delete', kv: toKV(op.key, tomb), prevKv: prev });
      } else {
        results.push(null);
      }
    }
    if (events.length === 0) return { succeeded: true, revision: this.revision, results, current: [] };
    this.revision = rev;
    for (const ev of events) this.log.push(ev);
    this.hub.publish(rev, events);
    return { succeeded: true, revision: rev, results, current: [] };
  }

  private addVersion(key: string, v: Version): void {
    let list = this.versions.get(key);
    if (list === undefined) {
      list = [];
      this.versions.set(key, list);
      this.keys.add(key);
    }
    list.push(v);
  }

  watch(prefix: string, opts: WatchOptions): Watch {
    this.ensureOpen();
    const after = opts.afterRevision;
    assertWatchable(after, this.compacted);
    if (after === 0 || after >= this.revision) return this.hub.add(prefix, Math.max(after, this.revision), opts, []);
    const backlog = this.log.slice(this.firstLogIndexAfter(after)).filter((e) => e.kv.key.startsWith(prefix));
    return this.hub.add(prefix, this.revision, opts, backlog);
  }

  private firstLogIndexAfter(revision: number): number {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.log[mid] as WatchEvent).kv.modRevision <= revision) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  async compact(revision: number): Promise<void> {
    this.ensureOpen();
    if (revision <= this.compacted) return;
    if (revision > this.revision) throw new FutureRevisionError(revision, this.revision);
    // Keep what reads at >= revision and events at >= revision (with their prevKv) need: drop
    // versions superseded before `revision`, and tombstones older than it.
    for (const [key, list] of this.versions) {
      let firstKept = 0;
      while (firstKept + 1 < list.length && (list[firstKept + 1] as Version).modRevision < revision) firstKept++;
      const kept = list.slice(firstKept);
      const last = kept[kept.length - 1] as Version;
      if (kept.length === 1 && last.deleted && last.modRevision < revision) {
        this.versions.delete(key);
        this.keys.delete(key);
      } else if (firstKept > 0) {
        this.versions.set(key, kept);
      }
    }
    this.log = this.log.slice(this.firstLogIndexAfter(revision - 1));
    this.compacted = revision;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hub.closeAll(new StoreClosedError());
  }
}

/** A new, empty in-memory store. */
export function createMemoryStore(): Store {
  return new MemoryStore();
}
