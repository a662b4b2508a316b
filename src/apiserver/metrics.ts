// Prometheus metrics at /metrics, named as kube-apiserver's so existing dashboards read them.
// One prom-client Registry per server (tests run several servers in one process).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ResourceRoute } from './router.js';

export interface ApiMetrics {
  registry: Registry;
  observe(verb: string, route: ResourceRoute | undefined, code: number, seconds: number): void;
  watchStarted(route: ResourceRoute): () => void;
}

/** kube-apiserver's verb label: LIST and WATCH are told apart from GET; DELETECOLLECTION from DELETE. */
export function verbOf(method: string, route: ResourceRoute | undefined, watch: boolean): string {
  if (!route) return method;
  if (method === 'GET' || method === 'HEAD') return watch || route.legacyWatch ? 'WATCH' : route.name ? 'GET' : 'LIST';
  if (method === 'DELETE' && !route.name) return 'DELETECOLLECTION';
  if (method === 'PATCH' || method === 'PUT' || method === 'POST' || method === 'DELETE') return method;
  return method;
}

export function createMetrics(): ApiMetrics {
  const registry = new Registry();
  const requests = new Counter({
    name: 'apiserver_request_total',
    help: 'Counter of apiserver requests broken out for each verb, group, version, resource, subresource and HTTP response code.',
    labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency distribution in seconds for each verb, group, version, resource and subresource.',
    labelNames: ['verb', 'group', 'version', 'resource', 'subresource'],
    buckets: [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60],
    registers: [registry],
  });
  const longrunning = new Gauge({
    name: 'apiserver_longrunning_requests',
    help: 'Gauge of all active long-running apiserver requests (watches).',
    labelNames: ['verb', 'group', 'version', 'resource'],
    registers: [registry],
  });
  const labels = (route: ResourceRoute | undefined) => ({
    group: route?.res.group ?? '',
    version: route?.res.version ?? '',
    resource: route?.res.plural ?? '',
    subresource: route?.subresource ?? '',
  });
  return {
    registry,
    observe(verb, route, code, seconds) {
      const l = labels(route);
      requests.inc({ verb, ...l, code: String(code) });
      // Watches last as long as the client wants; their duration says nothing about latency.
      if (verb !== 'WATCH') duration.observe({ verb, ...l }, seconds);
    },
    watchStarted(route) {
      const { subresource: _s, ...l } = labels(route);
      longrunning.inc({ verb: 'WATCH', ...l });
      let done = false;
      return () => {
        if (done) return;
        done = true;
        longrunning.dec({ verb: 'WATCH', ...l });
      };
    },
  };
}
