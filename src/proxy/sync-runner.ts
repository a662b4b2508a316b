// The one rate-limited sync loop (kube-proxy's BoundedFrequencyRunner): a request runs the sync at
// once if the last run started at least `minIntervalMs` ago, otherwise when that interval is up;
// requests during a run coalesce into one more run. A failed run retries after `retryMs`; the loop
// also runs every `periodMs` on its own. Runs never overlap.
import type { Clock, TimerHandle } from '../client/index.js';

export interface SyncRunnerOptions {
  clock: Clock;
  minIntervalMs: number;
  retryMs: number;
  /** Run at least this often (0: never on its own). */
  periodMs: number;
  /** Returns true on success; throwing counts as failure. */
  run: () => Promise<boolean>;
  onError?: (err: unknown) => void;
}

export class SyncRunner {
  private lastStart = -Infinity;
  private running = false;
  private requested = false;
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private periodTimer: TimerHandle | undefined;
  private stopped = false;
  private idle: Promise<void> = Promise.resolve();

  constructor(private readonly o: SyncRunnerOptions) {}

  start(): void {
    this.armPeriod();
    this.request();
  }

  /** Ask for a sync as soon as the minimum interval allows. */
  request(): void {
    if (this.stopped) return;
    this.requested = true;
    if (this.running) return;
    this.schedule(Math.max(0, this.lastStart + this.o.minIntervalMs - this.o.clock.now()));
  }

  /** Resolves when no run is in progress (tests and shutdown). */
  async settled(): Promise<void> {
    await this.idle;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    if (this.periodTimer) this.o.clock.clearTimeout(this.periodTimer);
    await this.idle;
  }

  private armPeriod(): void {
    if (this.o.periodMs <= 0 || this.stopped) return;
    this.periodTimer = this.o.clock.setTimeout(() => {
      this.armPeriod();
      this.request();
    }, this.o.periodMs);
  }

  private schedule(delay: number): void {
    const at = this.o.clock.now() + delay;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.fire();
    }, delay);
  }

  private fire(): void {
    if (this.stopped || this.running || !this.requested) return;
    this.requested = false;
    this.running = true;
    this.lastStart = this.o.clock.now();
    this.idle = (async () => {
      let ok = false;
      try {
        ok = await this.o.run();
      } catch (e) {
        this.o.onError?.(e);
      }
      this.running = false;
      if (this.stopped) return;
      if (!ok) {
        this.requested = true;
        this.schedule(this.o.retryMs);
      } else if (this.requested) {
        this.schedule(Math.max(0, this.lastStart + this.o.minIntervalMs - this.o.clock.now()));
      }
    })();
  }
}
