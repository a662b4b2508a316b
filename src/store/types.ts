// The Store contract every backend (memory, embedded SQLite, etcd) implements. It is deliberately
// etcd-shaped: one cluster-wide revision counter, compare-and-swap transactions, range reads at a
// revision, and watches that resume from a revision. Values are opaque strings (the apiserver
// stores JSON); the store never parses them.

/** A stored key/value with etcd's bookkeeping revisions. */
export interface KV {
  key: string;
  value: string;
  /** Revision of the transaction that created this key (stays the same across updates). */
  createRevision: number;
  /** Revision of the transaction that last wrote this key. Becomes metadata.resourceVersion. */
  modRevision: number;
}

/**
 * A guard on one key: the transaction applies only if the key's current modRevision equals
 * `modRevision`. 0 means "the key must not exist" (create-if-absent).
 */
export interface Compare {
  key: string;
  modRevision: number;
}

export type Op = { type: 'put'; key: string; value: string } | { type: 'delete'; key: string };

export interface TxnResult {
  succeeded: boolean;
  /** The revision the transaction was written at (when succeeded), else the current revision. */
  revision: number;
  /** When succeeded: the written KV for each op, in op order (for a delete: the deleted KV, or null if absent). */
  results: (KV | null)[];
  /** When not succeeded: the current KV (or null) of each compared key, in compare order. */
  current: (KV | null)[];
}

export interface RangeOptions {
  /** Read as of this revision (0/undefined = latest). Below the compacted revision: CompactedError. */
  revision?: number;
  /** Return at most this many keys (0/undefined = all). */
  limit?: number;
  /** Return only keys strictly greater than this one (for paging with continue tokens). */
  startAfter?: string;
}

export interface RangeResult {
  /** Keys in ascending byte order. */
  items: KV[];
  /** The revision the read was served at. */
  revision: number;
  /** True when `limit` cut the result short. */
  more: boolean;
  /** Keys matching the prefix that were not returned because of `limit`. */
  remaining: number;
}

export interface WatchEvent {
  type: 'put' | 'delete';
  /**
   * For put: the new KV. For delete: the deleted key with `value` of the last stored value and
   * `modRevision` set to the delete's revision.
   */
  kv: KV;
  /** The KV before this event (absent for a create). */
  prevKv: KV | null;
}

export interface Watch {
  cancel(): void;
}

export interface WatchOptions {
  /** Deliver every event with revision > afterRevision (0 = only future events). */
  afterRevision: number;
  /** Events of one transaction arrive together, in revision order, never interleaved across watches' order. */
  onEvents(events: WatchEvent[]): void;
  /** The watch cannot continue (store closed, or fell behind compaction); no more events follow. */
  onError?(err: Error): void;
}

export interface Store {
  /** The newest revision written (0 for an empty store). */
  currentRevision(): Promise<number>;
  /** The oldest revision still readable; reads/watches from before it fail with CompactedError. */
  compactedRevision(): Promise<number>;
  get(key: string, revision?: number): Promise<KV | null>;
  range(prefix: string, opts?: RangeOptions): Promise<RangeResult>;
  /** Count keys under a prefix at the latest revision. */
  count(prefix: string): Promise<number>;
  /** Atomic: all compares hold → all ops applied at one new revision; else nothing is written. */
  txn(compares: Compare[], ops: Op[]): Promise<TxnResult>;
  /**
   * Start watching keys under `prefix`. Throws CompactedError if afterRevision+1 was compacted.
   * Must not miss or duplicate events between a range at revision R and a watch after R.
   */
  watch(prefix: string, opts: WatchOptions): Watch;
  /** Discard history older than `revision` (the latest value of each key is always kept). */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

/** A read or watch asked for history the store no longer has (HTTP 410 Gone at the API edge). */
export class CompactedError extends Error {
  constructor(
    readonly requested: number,
    readonly compacted: number,
  ) {
    super(`required revision ${requested} has been compacted (oldest available ${compacted})`);
    this.name = 'CompactedError';
  }
}

/** The requested revision is newer than anything written (HTTP 504/"Too large resource version"). */
export class FutureRevisionError extends Error {
  constructor(
    readonly requested: number,
    readonly current: number,
  ) {
    super(`required revision ${requested} is in the future (current ${current})`);
    this.name = 'FutureRevisionError';
  }
}

/** The store has been closed. */
export class StoreClosedError extends Error {
  constructor() {
    super('store is closed');
    this.name = 'StoreClosedError';
  }
}
