// The durable default backend: a SQLite log (log-table.ts) plus an in-memory index of the newest
// value of every key. Reads at the current revision and watch fan-out are served from memory;
// reads at older revisions and watches resuming from far back go to the log.
//
// Writes use group commit: txns arriving in one event-loop turn are checked in arrival order,
// each gets its own revision, and all are written in one SQLite transaction (one fsync). A txn's
// promise resolves only after that commit, so an acknowledged write survives kill -9 and, with
// durability 'full' (the default), power loss. Nothing becomes visible to reads or watches before
// it is on disk.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { assertWatchable, resolveReadRevision } from '../internal/revisions.js';
import { SortedKeys } from '../internal/sorted-keys.js';
import { assertDistinctKeys } from '../internal/txn-ops.js';
import { WatchHub } from '../internal/watch-hub.js';
import { silentLogger, type Logger } from '../../util/log.js';
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
  type WatchOptions,
} from '../types.js';
import { startAutoCompaction, type AutoCompactionOptions } from './auto-compaction.js';
import { LogTable, type Durability } from './log-table.js';
import { rangeInPast, valuesAtBefore } from './past-view.js';
import { planBatch } from './plan-batch.js';
import { RecentEvents } from './recent-events.js';

export interface EmbeddedStoreOptions {
  /** Directory holding the database (created if missing). One process may open it at a time. */
  dir: string;
  logger?: Logger;
  /** 'full' (default): fsync every commit. 'normal': survives process crashes but not power loss. */
  durability?: Durability;
  /** How many recent revisions' events stay in memory for resuming watches (default 10,000). */
  recentEvents?: number;
  /**
   * Periodic compaction of old history (e.g. `{}`: every 5 minutes keep the last 10,000 revisions).
   * Off by default: `kubesvc up` runs its own compactor (src/cli/compactor.ts) for every backend.
   */
  autoCompaction?: AutoCompactionOptions | false;
}

interface Pending {
  compares: Compare[];
  ops: Op[];
  resolve(r: TxnResult): void;
  reject(err: unknown): void;
}

class EmbeddedStore implements Store {
  private closed = false;
  private readonly index = new Map<string, KV>();
  private readonly keys = new SortedKeys();
  private readonly hub = new WatchHub();
  private readonly recent: RecentEvents;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private stopAutoCompaction: () => void = () => {};

  constructor(
    private readonly log: LogTable,
    private revision: number,
    private compacted: number,
    private readonly logger: Logger,
    recentCapacity: number,
  ) {
    this.recent = new RecentEvents(recentCapacity, revision);
  }

  /** Startup recovery: the index is rebuilt from the newest row of every key. */
  load(): void {
    this.log.forEachLatest((kv) => {
      this.index.set(kv.key, kv);
      this.keys.add(kv.key);
    });
  }

  startAutoCompaction(opts: AutoCompactionOptions): void {
    this.stopAutoCompaction = startAutoCompaction(this, opts, this.logger);
  }

  private ensureOpen(): void {
    if (this.closed) throw new StoreClosedError();
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
      const kv = this.index.get(key);
      return kv === undefined ? null : { ...kv };
    }
    if (at >= this.recent.floor) {
      const past = valuesAtBefore(this.recent.since(at, key).filter((e) => e.kv.key === key));
      const kv = past.has(key) ? past.get(key) : this.index.get(key);
      return kv ? { ...kv } : null;
    }
    return this.log.getAt(key, at);
  }

  async range(prefix: string, opts: RangeOptions = {}): Promise<RangeResult> {
    this.ensureOpen();
    const at = resolveReadRevision(opts.revision, this.revision, this.compacted);
    const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : 0;
    if (at === this.revision) {
      const [start, end] = this.keys.prefixSpan(prefix, opts.startAfter);
      const stop = limit > 0 ? Math.min(end, start + limit) : end;
      const items: KV[] = [];
      for (let i = start; i < stop; i++) items.push({ ...(this.index.get(this.keys.at(i)) as KV) });
      const remaining = end - stop;
      return { items, revision: at, more: remaining > 0, remaining };
    }
    if (at >= this.recent.floor) {
      const past = valuesAtBefore(this.recent.since(at, prefix));
      const { items, remaining } = rangeInPast(this.keys, this.index, past, prefix, opts.startAfter, limit);
      return { items, revision: at, more: remaining > 0, remaining };
    }
    const items = this.log.rangeAt(prefix, opts.startAfter, at, limit);
    let remaining = 0;
    if (limit > 0 && items.length === limit) {
      remaining = this.log.countAt(prefix, (items[items.length - 1] as KV).key, at);
    }
    return { items, revision: at, more: remaining > 0, remaining };
  }

  async count(prefix: string): Promise<number> {
    this.ensureOpen();
    const [start, end] = this.keys.prefixSpan(prefix);
    return end - start;
  }

  txn(compares: Compare[], ops: Op[]): Promise<TxnResult> {
    return new Promise<TxnResult>((resolve, reject) => {
      this.ensureOpen();
      assertDistinctKeys(ops);
      this.queue.push({ compares, ops, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits every queued txn in one SQLite transaction, then publishes and acknowledges them. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;

    const latest = (key: string) => this.index.get(key) ?? null;
    const { rows, outcomes, committed, overlay, revision: rev } = planBatch(batch, this.revision, latest);

    if (rows.length > 0) {
      try {
        this.log.append(rows, rev);
      } catch (err) {
        // Nothing of the batch is visible or acknowledged; the index and counter are unchanged.
        this.logger.error('store commit failed', { err, txns: batch.length });
        for (const p of batch) p.reject(err);
        return;
      }
    }

    this.revision = rev;
    for (const [key, kv] of overlay) {
      if (kv === null) {
        this.index.delete(key);
        this.keys.delete(key);
      } else {
        if (!this.index.has(key)) this.keys.add(key);
        this.index.set(key, kv);
      }
    }
    for (const c of committed) {
      this.recent.add(c.revision, c.events);
      this.hub.publish(c.revision, c.events);
    }
    batch.forEach((p, i) => p.resolve(outcomes[i] as TxnResult));
  }

  watch(prefix: string, opts: WatchOptions): Watch {
    this.ensureOpen();
    const after = opts.afterRevision;
    assertWatchable(after, this.compacted);
    if (after === 0 || after >= this.revision) return this.hub.add(prefix, Math.max(after, this.revision), opts, []);
    const backlog =
      after >= this.recent.floor ? this.recent.since(after, prefix) : this.log.eventsBetween(prefix, after, this.revision);
    return this.hub.add(prefix, this.revision, opts, backlog);
  }

  async compact(revision: number): Promise<void> {
    this.ensureOpen();
    if (revision <= this.compacted) return;
    if (revision > this.revision) throw new FutureRevisionError(revision, this.revision);
    const started = Date.now();
    const removed = this.log.compact(revision);
    this.compacted = revision;
    this.recent.dropBelow(revision);
    this.logger.info('store compacted', { revision, removedRows: removed, ms: Date.now() - started });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.stopAutoCompaction();
    // Txns already accepted are committed (and acknowledged) before the database closes.
    this.flush();
    this.closed = true;
    this.log.close();
    this.hub.closeAll(new StoreClosedError());
  }
}

/** Opens (creating if needed) the embedded store in `opts.dir` and recovers its state. */
export async function createEmbeddedStore(opts: EmbeddedStoreOptions): Promise<Store> {
  const logger = (opts.logger ?? silentLogger).with({ component: 'store', backend: 'embedded' });
  mkdirSync(opts.dir, { recursive: true });
  const file = join(opts.dir, 'kubesvc.db');
  let log: LogTable;
  try {
    log = new LogTable(file, opts.durability ?? 'full');
  } catch (err) {
    if (err instanceof Error && /locked|busy/i.test(err.message)) {
      throw new Error(`store directory ${opts.dir} is in use by another process (${err.message})`, { cause: err });
    }
    throw err;
  }
  try {
    const started = Date.now();
    const { revision, compacted } = log.loadCounters();
    const store = new EmbeddedStore(log, revision, compacted, logger, opts.recentEvents ?? 10_000);
    store.load();
    logger.info('store opened', { file, revision, compacted, ms: Date.now() - started });
    if (opts.autoCompaction !== undefined && opts.autoCompaction !== false) store.startAutoCompaction(opts.autoCompaction);
    return store;
  } catch (err) {
    log.close();
    throw err;
  }
}
