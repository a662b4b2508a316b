// One guarded write of an object plus the strategy's extra writes (allocations), honouring the
// WriteContext contract: onCommit after success, onAbort on failure or dry-run, and a bounded
// retry of the hook when only one of its own compares failed (someone else allocated first).
import { StatusError, internalError } from '../api/errors.js';
import type { KV, Op, Store } from '../store/types.js';
import type { TxnExtras, WriteContext } from './types.js';
import { NO_EXTRAS } from './types.js';

const MAX_EXTRA_RETRIES = 5;

export type CommitResult = { ok: true; revision: number; kv: KV | null } | { ok: false; current: KV | null };

export async function commit(
  store: Store,
  key: string,
  expectRevision: number,
  op: Op | (() => Op),
  dryRun: boolean,
  extras?: (ctx: WriteContext) => Promise<TxnExtras>,
): Promise<CommitResult> {
  for (let attempt = 0; attempt < MAX_EXTRA_RETRIES; attempt++) {
    const commits: (() => void)[] = [];
    const aborts: (() => void)[] = [];
    const abort = () => {
      for (const f of aborts.splice(0)) f();
    };
    const ctx: WriteContext = { store, dryRun, onCommit: (f) => commits.push(f), onAbort: (f) => aborts.push(f) };
    let x: TxnExtras = NO_EXTRAS;
    try {
      if (extras) x = await extras(ctx);
      if (dryRun) {
        abort();
        return { ok: true, revision: 0, kv: null };
      }
      // Resolved after the hook: allocations fill fields of the object being written.
      const main = typeof op === 'function' ? op() : op;
      const r = await store.txn([{ key, modRevision: expectRevision }, ...x.compares], [main, ...x.ops]);
      if (r.succeeded) {
        for (const f of commits) f();
        return { ok: true, revision: r.revision, kv: r.results[0] };
      }
      abort();
      const current = r.current[0];
      if ((current?.modRevision ?? 0) !== expectRevision) return { ok: false, current };
      // Only an extra compare failed: the hook's view was stale; let it look again.
    } catch (e) {
      abort();
      throw e;
    }
  }
  throw new StatusError(409, 'Conflict', internalError(new Error('allocation kept conflicting; try again')).message);
}
