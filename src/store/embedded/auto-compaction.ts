// Periodic compaction, like kube-apiserver's --etcd-compaction-interval: history would otherwise
// grow with every write forever. Each run keeps the newest `keepRevisions` revisions readable.

import type { Logger } from '../../util/log.js';
import type { Store } from '../types.js';

export interface AutoCompactionOptions {
  /** How often to compact (default 5 minutes). */
  intervalMs?: number;
  /** Revisions of history to keep behind the current one (default 10,000). */
  keepRevisions?: number;
}

/** Compaction target for a store at `current`: null when there is nothing new to compact. */
export function compactionTarget(current: number, compacted: number, keepRevisions: number): number | null {
  const target = current - keepRevisions;
  return target > compacted && target > 0 ? target : null;
}

/** Starts the timer; returns a function that stops it. The timer never keeps the process alive. */
export function startAutoCompaction(store: Store, opts: AutoCompactionOptions, logger: Logger): () => void {
  const intervalMs = opts.intervalMs ?? 5 * 60_000;
  const keep = opts.keepRevisions ?? 10_000;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void (async () => {
      try {
        const target = compactionTarget(await store.currentRevision(), await store.compactedRevision(), keep);
        if (target !== null) await store.compact(target);
      } catch (err) {
        logger.warn('auto-compaction failed', { err });
      } finally {
        running = false;
      }
    })();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
