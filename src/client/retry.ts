// client-go's retry.RetryOnConflict: read-modify-write loops that lost an optimistic-concurrency
// race (409 Conflict) try again after a short backoff, a bounded number of times.
import { realClock, type Clock } from './clock.js';
import { isConflict } from './errors.js';

export interface RetryOptions {
  /** Attempts in all, the first included (default 5, as client-go's DefaultRetry steps). */
  attempts?: number;
  /** Delay before the first retry, doubling after each (default 10 ms). */
  initialMs?: number;
  clock?: Clock;
}

/**
 * Runs `fn` (which should re-read the object it writes each time) until it does not throw a
 * Conflict; any other error, or the last Conflict, is rethrown.
 */
export async function retryOnConflict<R>(fn: () => Promise<R>, opts: RetryOptions = {}): Promise<R> {
  const attempts = Math.max(1, opts.attempts ?? 5);
  const clock = opts.clock ?? realClock;
  let delay = opts.initialMs ?? 10;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (!isConflict(e) || i >= attempts) throw e;
    }
    await new Promise<void>((resolve) => clock.setTimeout(resolve, delay));
    delay *= 2;
  }
}
