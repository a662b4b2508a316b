// Work queue metrics under client-go's names (workqueue_*, labelled by queue name), so the
// dashboards people already have for kube-controller-manager read ours. Registered once per
// prom-client Registry; every queue sharing that registry gets its own `name` label.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface QueueMetrics {
  added(): void;
  depth(n: number): void;
  retried(): void;
  /** Seconds an item waited in the queue before a worker took it. */
  waited(seconds: number): void;
  /** Seconds a worker held an item (get → done). */
  worked(seconds: number): void;
}

const BUCKETS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10];

interface Families {
  adds: Counter<'name'>;
  depth: Gauge<'name'>;
  retries: Counter<'name'>;
  queueDuration: Histogram<'name'>;
  workDuration: Histogram<'name'>;
}

const perRegistry = new WeakMap<Registry, Families>();

function families(registry: Registry): Families {
  let f = perRegistry.get(registry);
  if (!f) {
    const registers = [registry];
    f = {
      adds: new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'], registers }),
      depth: new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers }),
      retries: new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers }),
      queueDuration: new Histogram({
        name: 'workqueue_queue_duration_seconds',
        help: 'How long in seconds an item stays in workqueue before being requested.',
        labelNames: ['name'],
        buckets: BUCKETS,
        registers,
      }),
      workDuration: new Histogram({
        name: 'workqueue_work_duration_seconds',
        help: 'How long in seconds processing an item from workqueue takes.',
        labelNames: ['name'],
        buckets: BUCKETS,
        registers,
      }),
    };
    perRegistry.set(registry, f);
  }
  return f;
}

export const NO_METRICS: QueueMetrics = { added() {}, depth() {}, retried() {}, waited() {}, worked() {} };

export function queueMetrics(registry: Registry, name: string): QueueMetrics {
  const f = families(registry);
  const l = { name };
  return {
    added: () => f.adds.inc(l),
    depth: (n) => f.depth.set(l, n),
    retried: () => f.retries.inc(l),
    waited: (s) => f.queueDuration.observe(l, s),
    worked: (s) => f.workDuration.observe(l, s),
  };
}
