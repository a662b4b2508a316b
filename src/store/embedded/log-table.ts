// The on-disk log of the embedded backend, kine-style: one row per key write (put or delete
// tombstone), never updated in place, so any past revision can be read back until compaction.
// This file owns the schema and every SQL statement; the store above it owns ordering, caching and
// watch fan-out.

import Database from 'better-sqlite3';
import { prefixEnd } from '../internal/key-order.js';
import type { KV, WatchEvent } from '../types.js';

/** One row to append: a put, or (deleted) a tombstone carrying the deleted value. */
export interface LogRow {
  revision: number;
  key: string;
  createRevision: number;
  /** modRevision of the version this row supersedes (0 when it creates the key). */
  prevRevision: number;
  value: string;
  deleted: boolean;
}

interface KVRow {
  key: string;
  value: string;
  create_revision: number;
  revision: number;
}

interface EventRow extends KVRow {
  deleted: number;
  p_value: string | null;
  p_create_revision: number | null;
  p_revision: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (
  id INTEGER PRIMARY KEY,
  revision INTEGER NOT NULL,
  key TEXT NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value TEXT NOT NULL,
  deleted INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS kv_key_revision ON kv (key, revision);
CREATE INDEX IF NOT EXISTS kv_revision ON kv (revision);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

// The newest row of each key at or below a revision, restricted to a key span: rows with no later
// row of the same key up to that revision. Scanning the (key, revision) index in key order lets a
// LIMIT stop early. The span bounds are always bound (an absent upper bound becomes NULL and is
// tested with IS NULL) so one prepared statement serves every prefix.
const SPAN = `key >= @lo AND (@hi IS NULL OR key < @hi) AND (@after IS NULL OR key > @after)`;
const NEWEST_AT = `
  FROM kv k INDEXED BY kv_key_revision
  WHERE ${SPAN} AND k.revision <= @rev AND k.deleted = 0
    AND NOT EXISTS (SELECT 1 FROM kv n WHERE n.key = k.key AND n.revision > k.revision AND n.revision <= @rev)`;

function toKV(r: KVRow): KV {
  return { key: r.key, value: r.value, createRevision: r.create_revision, modRevision: r.revision };
}

export type Durability = 'full' | 'normal';

export class LogTable {
  private readonly db: Database.Database;
  private readonly stmts;

  constructor(file: string, durability: Durability) {
    this.db = new Database(file, { timeout: 1000 });
    // WAL: readers never block the writer and a commit is one sequential append. synchronous=FULL
    // fsyncs the WAL on every commit, so an acknowledged txn survives power loss, not only kill -9.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
    // One process owns the store: the exclusive lock (taken by the first write below) makes a second
    // kubesvc on the same directory fail at startup instead of forking the revision counter.
    this.db.pragma('locking_mode = EXCLUSIVE');
    this.db.exec(SCHEMA);
    this.db.prepare(`INSERT OR IGNORE INTO meta (name, value) VALUES ('compacted', 0), ('revision', 0)`).run();
    this.stmts = {
      insert: this.db.prepare(
        `INSERT INTO kv (revision, key, create_revision, prev_revision, value, deleted) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      setMeta: this.db.prepare(`UPDATE meta SET value = ? WHERE name = ?`),
      getMeta: this.db.prepare(`SELECT value FROM meta WHERE name = ?`).pluck(),
      maxRevision: this.db.prepare(`SELECT COALESCE(MAX(revision), 0) FROM kv`).pluck(),
      latestAll: this.db.prepare(`
        SELECT k.key, k.value, k.create_revision, k.revision, k.deleted
        FROM kv k JOIN (SELECT key, MAX(revision) AS r FROM kv GROUP BY key) m ON k.key = m.key AND k.revision = m.r`),
      rangeAt: this.db.prepare(`SELECT k.key, k.value, k.create_revision, k.revision ${NEWEST_AT} ORDER BY k.key LIMIT @limit`),
      countAt: this.db.prepare(`SELECT COUNT(*) ${NEWEST_AT}`).pluck(),
      getAt: this.db.prepare(
        `SELECT key, value, create_revision, revision, deleted FROM kv WHERE key = ? AND revision <= ? ORDER BY revision DESC LIMIT 1`,
      ),
      events: this.db.prepare(`
        SELECT n.key, n.value, n.create_revision, n.revision, n.deleted,
               p.value AS p_value, p.create_revision AS p_create_revision, p.revision AS p_revision
        FROM kv n LEFT JOIN kv p ON n.prev_revision > 0 AND p.key = n.key AND p.revision = n.prev_revision
        WHERE n.revision > @from AND n.revision <= @to AND ${SPAN.replaceAll('key', 'n.key')}
        ORDER BY n.revision, n.id`),
      // Rows superseded by a write below the compaction revision, then tombstones below it: what
      // remains is exactly what reads at >= rev and events at >= rev (with their prevKv) need.
      compactSuperseded: this.db.prepare(`
        DELETE FROM kv WHERE id IN (
          SELECT p.id FROM kv n JOIN kv p ON p.key = n.key AND p.revision = n.prev_revision
          WHERE n.revision < ? AND n.prev_revision > 0)`),
      compactTombstones: this.db.prepare(`DELETE FROM kv WHERE deleted = 1 AND revision < ?`),
    };
  }

  /** Revision counter and compacted revision as persisted. */
  loadCounters(): { revision: number; compacted: number } {
    const stored = this.stmts.getMeta.get('revision') as number;
    const max = this.stmts.maxRevision.get() as number;
    return { revision: Math.max(stored, max), compacted: this.stmts.getMeta.get('compacted') as number };
  }

  /** Calls `fn` with the newest live version of every key (startup recovery of the index). */
  forEachLatest(fn: (kv: KV) => void): void {
    for (const row of this.stmts.latestAll.iterate() as IterableIterator<KVRow & { deleted: number }>) {
      if (row.deleted === 0) fn(toKV(row));
    }
  }

  /** Appends the rows of a batch of txns and the new revision counter in one durable commit. */
  readonly append = (rows: LogRow[], revision: number): void => {
    this.db.transaction(() => {
      for (const r of rows) {
        this.stmts.insert.run(r.revision, r.key, r.createRevision, r.prevRevision, r.value, r.deleted ? 1 : 0);
      }
      this.stmts.setMeta.run(revision, 'revision');
    })();
  };

  private span(prefix: string, startAfter?: string) {
    return { lo: prefix, hi: prefixEnd(prefix), after: startAfter ?? null };
  }

  /** Up to `limit` (0 = all) live keys under `prefix` after `startAfter`, as of `revision`, in key order. */
  rangeAt(prefix: string, startAfter: string | undefined, revision: number, limit: number): KV[] {
    const rows = this.stmts.rangeAt.all({ ...this.span(prefix, startAfter), rev: revision, limit: limit > 0 ? limit : -1 });
    return (rows as KVRow[]).map(toKV);
  }

  countAt(prefix: string, startAfter: string | undefined, revision: number): number {
    return this.stmts.countAt.get({ ...this.span(prefix, startAfter), rev: revision }) as number;
  }

  getAt(key: string, revision: number): KV | null {
    const row = this.stmts.getAt.get(key, revision) as (KVRow & { deleted: number }) | undefined;
    return row === undefined || row.deleted !== 0 ? null : toKV(row);
  }

  /** Events with revision in (from, to] under `prefix`, in revision and op order. */
  eventsBetween(prefix: string, from: number, to: number): WatchEvent[] {
    const rows = this.stmts.events.all({ ...this.span(prefix), from, to }) as EventRow[];
    return rows.map((r) => {
      const prevKv: KV | null =
        r.p_revision === null
          ? null
          : { key: r.key, value: r.p_value as string, createRevision: r.p_create_revision as number, modRevision: r.p_revision };
      return { type: r.deleted !== 0 ? 'delete' : 'put', kv: toKV(r), prevKv };
    });
  }

  /** Drops history below `revision` and records it as the compacted revision, atomically. */
  compact(revision: number): number {
    let removed = 0;
    this.db.transaction(() => {
      removed += this.stmts.compactSuperseded.run(revision).changes;
      removed += this.stmts.compactTombstones.run(revision).changes;
      this.stmts.setMeta.run(revision, 'compacted');
    })();
    return removed;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
