// Prometheus metrics, named after CoreDNS's (with our prefix) so its dashboards translate easily.
import { Counter, Histogram, Registry } from 'prom-client';

export interface DnsMetrics {
  registry: Registry;
  request(proto: 'udp' | 'tcp', type: string): void;
  response(rcode: string, seconds: number): void;
  cache(hit: boolean): void;
  /** Seconds from an API change (the object's trigger time) to the answer index holding it. */
  programmed(seconds: number): void;
}

// Query types past these are counted as "other", so hostile packets cannot grow label cardinality.
const KNOWN_TYPES = new Set(['A', 'AAAA', 'SRV', 'PTR', 'CNAME', 'TXT', 'SOA', 'NS', 'MX', 'ANY', 'HTTPS', 'SVCB']);

export function createDnsMetrics(registry = new Registry()): DnsMetrics {
  const requests = new Counter({
    name: 'kubesvc_dns_requests_total',
    help: 'Counter of DNS requests made per protocol and query type.',
    labelNames: ['proto', 'type'],
    registers: [registry],
  });
  const responses = new Counter({
    name: 'kubesvc_dns_responses_total',
    help: 'Counter of DNS responses per response code.',
    labelNames: ['rcode'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'kubesvc_dns_request_duration_seconds',
    help: 'Histogram of the time (in seconds) each request took.',
    buckets: [0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192],
    registers: [registry],
  });
  const cacheHits = new Counter({ name: 'kubesvc_dns_cache_hits_total', help: 'The count of forwarding cache hits.', registers: [registry] });
  const cacheMisses = new Counter({ name: 'kubesvc_dns_cache_misses_total', help: 'The count of forwarding cache misses.', registers: [registry] });
  const programming = new Histogram({
    name: 'kubesvc_dns_programming_duration_seconds',
    help: 'Histogram of the time (in seconds) it took to program a DNS instance after a Service or EndpointSlice change.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  return {
    registry,
    request: (proto, type) => requests.inc({ proto, type: KNOWN_TYPES.has(type) ? type : 'other' }),
    response: (rcode, seconds) => {
      responses.inc({ rcode });
      duration.observe(seconds);
    },
    cache: (hit) => (hit ? cacheHits : cacheMisses).inc(),
    programmed: (s) => programming.observe(Math.max(0, s)),
  };
}
