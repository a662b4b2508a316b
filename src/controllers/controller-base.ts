// The frame every workload controller here shares: its config (filled from the controller
// manager's context, or given directly in tests), a work queue drained by workers, handlers
// registered at creation and no work before run() (the manager calls it after the caches synced).
import { WorkQueue, runWorkers, type Client, type ReconcileResult, type SharedInformerFactory } from '../client/index.js';
import { silentLogger, type Logger } from '../util/log.js';
import type { EventRecorder } from './events/index.js';
import type { Controller, ControllerContext } from './index.js';

export interface WorkloadControllerConfig {
  client: Client;
  /** Shared with the other controllers in the process; whoever owns it starts it. */
  factory: SharedInformerFactory;
  logger?: Logger;
  /** Wall-clock time for timestamps and availability (injected for tests). */
  now?: () => Date;
  /** Parallel reconcilers (default 2). */
  workers?: number;
  /** Events on the objects (optional: no events without one). */
  recorder?: EventRecorder;
}

export interface Filled {
  client: Client;
  factory: SharedInformerFactory;
  logger: Logger;
  now: () => Date;
  workers: number;
  recorder?: EventRecorder;
}

export function fill(name: string, c: WorkloadControllerConfig): Filled {
  if (!c.client) throw new Error(`${name}: config.client is required`);
  if (!c.factory) throw new Error(`${name}: config.factory is required`);
  const workers = c.workers ?? 2;
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`${name}: workers must be a positive integer, got ${workers}`);
  return {
    client: c.client,
    factory: c.factory,
    logger: (c.logger ?? silentLogger).with({ controller: name }),
    now: c.now ?? (() => new Date()),
    workers,
    recorder: c.recorder,
  };
}

/** The config a controller of ours gets from the manager's context. */
export function fromContext(ctx: ControllerContext, component: string): WorkloadControllerConfig {
  return { client: ctx.client, factory: ctx.informers, logger: ctx.logger, now: ctx.now, workers: ctx.config.workers, recorder: ctx.recorder(component) };
}

/**
 * A queue-driven controller: `register(queue)` adds the informer handlers at once, `reconcile(key)`
 * does the work once run() was called (throw to retry with backoff).
 */
/**
 * Run/stop for a controller driven by one work queue: `run` starts the workers once, `stop` shuts the
 * queue, waits for reconciles in progress, then flushes the controller's pending events.
 */
export function workerLifecycle(
  queue: WorkQueue<string>,
  workers: number,
  reconcile: (key: string) => Promise<ReconcileResult>,
  logger: Logger,
  recorder?: EventRecorder,
): Controller {
  let running: Promise<void> | undefined;
  return {
    run() {
      if (running) return;
      running = runWorkers(queue, workers, reconcile, { logger });
    },
    async stop() {
      queue.shutDown();
      await running;
      await recorder?.flush();
    },
  };
}

export function queueController(
  name: string,
  f: Filled,
  register: (queue: WorkQueue<string>) => void,
  reconcile: (key: string) => Promise<ReconcileResult>,
): Controller & { queue: WorkQueue<string> } {
  const queue = new WorkQueue<string>({ name });
  register(queue);
  return { queue, ...workerLifecycle(queue, f.workers, reconcile, f.logger, f.recorder) };
}
