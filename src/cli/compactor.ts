// Periodic history compaction, as kube-apiserver does against etcd: every interval, discard history
// older than the revision seen at the previous tick, so watchers get one full interval to catch up
// before their resourceVersion expires (410 Gone, and informers relist).
import type { Store } from '../store/types.js';
import type { Logger } from '../util/log.js';

export interface Compactor {
  stop(): void;
}

export function startCompactor(store: Store, intervalMs: number, logger: Logger): Compactor {
  if (intervalMs <= 0) return { stop() {} };
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
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  void tick();
  return { stop: () => clearInterval(timer) };
}
