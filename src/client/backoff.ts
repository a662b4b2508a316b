// Capped exponential backoff with jitter, for relisting after failures: many clients that lost the
// same server must not all come back at the same instant (the thundering herd after a restart).

export interface BackoffOptions {
  /** First delay (default 800 ms, as client-go's reflector). */
  initialMs?: number;
  /** Ceiling of any delay (default 30 s). */
  maxMs?: number;
  /** Growth per consecutive failure (default 2). */
  factor?: number;
  /** Up to this fraction of the delay is added at random (default 0.5). */
  jitter?: number;
  /** Injected randomness in [0, 1) for deterministic tests (default Math.random). */
  random?: () => number;
}

export class Backoff {
  private failures = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 800;
    this.maxMs = opts.maxMs ?? 30_000;
    this.factor = opts.factor ?? 2;
    this.jitter = opts.jitter ?? 0.5;
    this.random = opts.random ?? Math.random;
  }

  /** The delay before the next attempt; each call counts one more consecutive failure. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * this.factor ** this.failures);
    this.failures++;
    return Math.min(this.maxMs, Math.round(base * (1 + this.jitter * this.random())));
  }

  /** After a success: the next failure starts again from the initial delay. */
  reset(): void {
    this.failures = 0;
  }
}
