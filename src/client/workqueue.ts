// A work queue with client-go's semantics: keys (not objects) are queued, a key queued twice
// before a worker takes it is processed once, and a key is never handed to two workers at once:
// re-adding it while it is processed marks it dirty, and it is queued again when `done` is called.
// On top: delayed adds and rate-limited retries (rate-limiter.ts).
import { silentLogger, type Logger } from '../util/log.js';
import { realClock, type Clock, type TimerHandle } from './clock.js';
import type { Registry as PromRegistry } from 'prom-client';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.js';
import { NO_METRICS, queueMetrics, type QueueMetrics } from './workqueue-metrics.js';

export interface WorkQueueOptions<T> {
  clock?: Clock;
  rateLimiter?: RateLimiter<T>;
  /** For logs, errors and the `name` label of the metrics. */
  name?: string;
  /** Register client-go's workqueue_* metrics here (default: none). */
  metrics?: PromRegistry;
}

export class WorkQueue<T = string> {
  private queue: T[] = [];
  /** Items that need processing (queued, or re-added while processing). */
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly waiters: ((item: T | undefined) => void)[] = [];
  /** Delayed items: the earliest time each becomes ready, and its timer. */
  private readonly waiting = new Map<T, { at: number; timer: TimerHandle }>();
  private shuttingDown = false;
  private readonly clock: Clock;
  private readonly limiter: RateLimiter<T>;
  private drainedWaiters: (() => void)[] = [];
  private readonly metrics: QueueMetrics;
  /** When each queued item was added, and when each processed one was taken (for the metrics). */
  private readonly addedAt = new Map<T, number>();
  private readonly takenAt = new Map<T, number>();
  readonly name: string;

  constructor(opts: WorkQueueOptions<T> = {}) {
    this.clock = opts.clock ?? realClock;
    this.limiter = opts.rateLimiter ?? defaultControllerRateLimiter<T>(this.clock);
    this.name = opts.name ?? 'workqueue';
    this.metrics = opts.metrics ? queueMetrics(opts.metrics, this.name) : NO_METRICS;
  }

  private take(item: T): T {
    this.dirty.delete(item);
    this.processing.add(item);
    const now = this.clock.now();
    const at = this.addedAt.get(item);
    if (at !== undefined) this.metrics.waited((now - at) / 1000);
    this.addedAt.delete(item);
    this.takenAt.set(item, now);
    this.metrics.depth(this.queue.length);
    return item;
  }

  add(item: T): void {
    if (this.shuttingDown) return;
    this.enqueue(item);
  }

  private enqueue(item: T): void {
    if (this.dirty.has(item)) return;
    this.metrics.added();
    this.dirty.add(item);
    this.addedAt.set(item, this.clock.now());
    if (this.processing.has(item)) return;
    const w = this.waiters.shift();
    if (w) w(this.take(item));
    else {
      this.queue.push(item);
      this.metrics.depth(this.queue.length);
    }
  }

  /**
   * The next item to process; undefined once the queue is shut down and empty. The caller must
   * call `done(item)` when finished with it.
   */
  get(): Promise<T | undefined> {
    const item = this.queue.shift();
    if (item !== undefined) return Promise.resolve(this.take(item));
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Processing of `item` finished; if it was added meanwhile, it goes back in the queue now. */
  done(item: T): void {
    const taken = this.takenAt.get(item);
    if (taken !== undefined) this.metrics.worked((this.clock.now() - taken) / 1000);
    this.takenAt.delete(item);
    this.processing.delete(item);
    if (this.dirty.has(item)) {
      // Re-queued even when shutting down, as client-go: it was added before the shutdown.
      const w = this.waiters.shift();
      if (w) w(this.take(item));
      else {
        this.queue.push(item);
        this.metrics.depth(this.queue.length);
      }
    }
    if (this.processing.size === 0) {
      for (const d of this.drainedWaiters.splice(0)) d();
    }
  }

  /** Adds `item` after `ms`; an item already waiting keeps the earlier of the two times. */
  addAfter(item: T, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(item);
    const at = this.clock.now() + ms;
    const existing = this.waiting.get(item);
    if (existing) {
      if (existing.at <= at) return;
      this.clock.clearTimeout(existing.timer);
    }
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(item);
      this.add(item);
    }, ms);
    this.waiting.set(item, { at, timer });
  }

  /** Retries `item` after its rate limiter's delay (per-item exponential backoff, overall token bucket). */
  addRateLimited(item: T): void {
    if (this.shuttingDown) return;
    this.metrics.retried();
    this.addAfter(item, this.limiter.when(item));
  }

  /** `item` succeeded: reset its backoff. */
  forget(item: T): void {
    this.limiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.limiter.numRequeues(item);
  }

  /** Items queued and ready (not counting delayed or in-process ones). */
  len(): number {
    return this.queue.length;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * Stops accepting items and drops delayed ones. Items already queued are still handed out; once
   * the queue is empty every `get` returns undefined, so workers exit.
   */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) this.clock.clearTimeout(timer);
    this.waiting.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /** Resolves when no item is being processed. */
  drained(): Promise<void> {
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainedWaiters.push(resolve));
  }
}

/** What a reconcile may ask for: nothing (done), or to be called again for this key after a delay. */
export type ReconcileResult = void | { requeueAfterMs: number };

export interface RunWorkersOptions {
  logger?: Logger;
}

/**
 * Runs `n` workers over `queue` until it is shut down and empty. A reconcile that throws is retried
 * with rate limiting; one that succeeds is forgotten (its backoff reset), and requeued after
 * `requeueAfterMs` if it asked. Resolves when every worker has exited.
 */
export async function runWorkers<T>(queue: WorkQueue<T>, n: number, reconcile: (item: T) => Promise<ReconcileResult>, opts: RunWorkersOptions = {}): Promise<void> {
  const log = (opts.logger ?? silentLogger).with({ queue: queue.name });
  const worker = async () => {
    for (;;) {
      const item = await queue.get();
      if (item === undefined) return;
      try {
        const r = await reconcile(item);
        queue.forget(item);
        if (r && r.requeueAfterMs >= 0) queue.addAfter(item, r.requeueAfterMs);
      } catch (e) {
        log.warn('reconcile failed; retrying with backoff', { key: String(item), requeues: queue.numRequeues(item), err: e });
        queue.addRateLimited(item);
      } finally {
        queue.done(item);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, n) }, worker));
}
