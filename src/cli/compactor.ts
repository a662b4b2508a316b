// Periodic history compaction, as kube-apiserver does against etcd: every interval, discard history
// older than the revision seen at the previous tick, so watchers get one full interval to catch up
// before their resourceVersion expires (410 Gone, and informers relist).
import type { Store } from '../store/types.js';
import type { Logger } from '../util/log.js';

export interface Compactor {
  stop(): void;
  /** One tick now (what the timer does each interval); for tests. */
  tick(): Promise<void>;
}

export function startCompactor(store: Store, intervalMs: number, logger: Logger): Compactor {
  if (intervalMs <= 0) return { stop() {}, tick: async () => {} };
  let previous = 0;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const current = await store.currentRevision();
      if (previous > 0 && previous > (await store.compactedRevision())) {
        await store.compact(previous);
        logger.debug('compacted store history', { revision: previous });
      }
      previous = current;
    } catch (e) {
      // A failed compaction only keeps more history; the next tick tries again.
      logger.warn('store compaction failed', { err: e });
    } finally {
      running = false;
    }
  };
  // The first tick only records the revision: history is kept for at least one full interval.
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), tick };
}
