// The proxy's Prometheus metrics (names after kube-proxy's, under kubesvc_proxy_).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface ProxyMetrics {
  readonly registry: Registry;
  readonly syncDuration: Histogram<'kind'>;
  readonly syncFailures: Counter;
  readonly rulesProgrammed: Gauge<'what'>;
  readonly lastSyncTimestamp: Gauge;
  readonly programmingLatency: Histogram;
}

export function createProxyMetrics(registry = new Registry()): ProxyMetrics {
  const buckets = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];
  return {
    registry,
    syncDuration: new Histogram({
      name: 'kubesvc_proxy_sync_proxy_rules_duration_seconds',
      help: 'How long one sync of the proxy rules took (kind: full or partial).',
      labelNames: ['kind'],
      buckets,
      registers: [registry],
    }),
    syncFailures: new Counter({
      name: 'kubesvc_proxy_sync_proxy_rules_failures_total',
      help: 'Syncs whose nft transaction the kernel refused.',
      registers: [registry],
    }),
    rulesProgrammed: new Gauge({
      name: 'kubesvc_proxy_rules_programmed',
      help: 'Objects in the kubesvc table after the last successful sync (what: chains, rules, elements).',
      labelNames: ['what'],
      registers: [registry],
    }),
    lastSyncTimestamp: new Gauge({
      name: 'kubesvc_proxy_sync_proxy_rules_last_timestamp_seconds',
      help: 'Unix time of the last successful sync.',
      registers: [registry],
    }),
    programmingLatency: new Histogram({
      name: 'kubesvc_proxy_network_programming_duration_seconds',
      help: 'From an EndpointSlice change reaching the proxy to its rules being live.',
      buckets,
      registers: [registry],
    }),
  };
}
