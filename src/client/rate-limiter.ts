// The work queue's rate limiters, with client-go's defaults for controllers: per-item exponential
// backoff (5 ms doubling to 1000 s) combined with an overall token bucket (10 per second, burst
// 100), the larger delay winning. The bucket keeps a hot failure loop across many keys from
// hammering the API server; the per-item backoff keeps one broken key from hogging the workers.
import type { Clock } from './clock.js';

export interface RateLimiter<T> {
  /** How long to wait before retrying `item` (each call counts one more failure). */
  when(item: T): number;
  /** The item succeeded: its next failure starts from the base delay again. */
  forget(item: T): void;
  /** Failures counted for `item` since it was last forgotten. */
  numRequeues(item: T): number;
}

export class ItemExponentialRateLimiter<T> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();
  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 1_000_000,
  ) {}

  when(item: T): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    // Capped before it can overflow to Infinity for a long-failing item.
    return n >= 64 ? this.maxMs : Math.min(this.maxMs, this.baseMs * 2 ** n);
  }

  forget(item: T): void {
    this.failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/** A token bucket: `perSecond` tokens refill continuously up to `burst`; each retry takes one, waiting when none is left. */
export class TokenBucketRateLimiter<T> implements RateLimiter<T> {
  private tokens: number;
  private last: number;
  constructor(
    private readonly clock: Clock,
    private readonly perSecond = 10,
    private readonly burst = 100,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  when(_item: T): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.perSecond) / 1000);
    this.last = now;
    // Like golang.org/x/time/rate's Reserve: the token is taken now, possibly going into debt.
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.perSecond);
  }

  forget(_item: T): void {}

  numRequeues(_item: T): number {
    return 0;
  }
}

/** The longest delay of several limiters (client-go's MaxOfRateLimiter). */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  private readonly limiters: RateLimiter<T>[];
  constructor(...limiters: RateLimiter<T>[]) {
    this.limiters = limiters;
  }

  when(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.when(item));
    return max;
  }

  forget(item: T): void {
    for (const l of this.limiters) l.forget(item);
  }

  numRequeues(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.numRequeues(item));
    return max;
  }
}

/** client-go's DefaultControllerRateLimiter. */
export function defaultControllerRateLimiter<T>(clock: Clock): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(new ItemExponentialRateLimiter<T>(5, 1_000_000), new TokenBucketRateLimiter<T>(clock, 10, 100));
}
