// Typed configuration of the DNS component (habit 6): the CLI translates flags into a DnsConfig,
// createDns() validates it and fills defaults here, and nothing in src/dns reads flags or env.
import { isIP } from 'node:net';
import type { Registry as PromRegistry } from 'prom-client';
import type { Client } from '../client/index.js';
import type { Logger } from '../util/log.js';

export type PodMode = 'disabled' | 'insecure' | 'verified';

export interface Listen {
  host: string;
  port: number;
}

export interface Upstream {
  host: string;
  port: number;
}

export interface DnsConfig {
  client: Client;
  logger?: Logger;
  /** The cluster domain (default cluster.local). */
  clusterDomain?: string;
  /** Where to serve (UDP and TCP on each); port 0 picks a free port. */
  listen: Listen[];
  /** Resolvers for names outside the cluster zone; empty means every such query is SERVFAIL. */
  upstreams?: Upstream[];
  /** `<a-b-c-d>.<ns>.pod.<zone>` records (CoreDNS `pods` option; kubeadm's Corefile uses insecure). */
  podMode?: PodMode;
  /** TTL of cluster records and of the SOA (CoreDNS default 5 s). */
  ttl?: number;
  /** Addresses `ns.dns.<zone>` resolves to when the kube-dns Service is not (yet) known. */
  nsAddresses?: string[];
  /** The largest UDP payload we advertise and accept to send (EDNS0). */
  maxUdpPayload?: number;
  /** Forwarding cache: most entries kept, and the TTL caps (CoreDNS cache plugin defaults). */
  cacheSize?: number;
  cacheMaxTtl?: number;
  cacheMaxNegativeTtl?: number;
  /** How long to wait for one upstream before trying the next. */
  upstreamTimeoutMs?: number;
  /** Where the metrics are registered (default: a registry of its own). */
  metrics?: PromRegistry;
  /** Milliseconds clock for cache ages (tests). */
  now?: () => number;
}

export interface ResolvedDnsConfig {
  client: Client;
  logger: Logger;
  zone: string;
  listen: Listen[];
  upstreams: Upstream[];
  podMode: PodMode;
  ttl: number;
  nsAddresses: string[];
  maxUdpPayload: number;
  cacheSize: number;
  cacheMaxTtl: number;
  cacheMaxNegativeTtl: number;
  upstreamTimeoutMs: number;
}

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Lower-cased, without leading or trailing dots; throws on anything that is not a DNS name. */
export function normalizeZone(zone: string): string {
  const z = zone.toLowerCase().replace(/^\.+|\.+$/g, '');
  if (!z || z.split('.').some((l) => !LABEL.test(l) || l.length > 63)) throw new Error(`invalid cluster domain ${JSON.stringify(zone)}`);
  return z;
}

function checkPort(what: string, p: number): void {
  if (!Number.isInteger(p) || p < 0 || p > 65535) throw new Error(`invalid ${what} port ${p}`);
}

export function resolveConfig(c: DnsConfig, fallbackLogger: Logger): ResolvedDnsConfig {
  const zone = normalizeZone(c.clusterDomain ?? 'cluster.local');
  if (!c.listen.length) throw new Error('dns: at least one listen address is required');
  for (const l of c.listen) {
    if (!isIP(l.host)) throw new Error(`invalid dns listen address ${JSON.stringify(l.host)}`);
    checkPort('dns listen', l.port);
  }
  for (const u of c.upstreams ?? []) {
    if (!isIP(u.host)) throw new Error(`invalid dns upstream ${JSON.stringify(u.host)}`);
    checkPort('dns upstream', u.port);
  }
  const podMode = c.podMode ?? 'insecure';
  if (!['disabled', 'insecure', 'verified'].includes(podMode)) throw new Error(`invalid pod mode ${JSON.stringify(podMode)}`);
  for (const a of c.nsAddresses ?? []) if (!isIP(a)) throw new Error(`invalid ns address ${JSON.stringify(a)}`);
  const maxUdpPayload = c.maxUdpPayload ?? 1232;
  if (maxUdpPayload < 512 || maxUdpPayload > 65535) throw new Error(`invalid max UDP payload ${maxUdpPayload}: want 512..65535`);
  return {
    client: c.client,
    logger: (c.logger ?? fallbackLogger).with({ component: 'dns' }),
    zone,
    listen: c.listen,
    upstreams: c.upstreams ?? [],
    podMode,
    ttl: c.ttl ?? 5,
    nsAddresses: c.nsAddresses ?? [],
    maxUdpPayload,
    cacheSize: c.cacheSize ?? 10_000,
    cacheMaxTtl: c.cacheMaxTtl ?? 3600,
    cacheMaxNegativeTtl: c.cacheMaxNegativeTtl ?? 1800,
    upstreamTimeoutMs: c.upstreamTimeoutMs ?? 2000,
  };
}

/** Nameservers of a resolv.conf text, as upstreams on port 53 (the default for `--dns-upstream`). */
export function upstreamsFromResolvConf(text: string): Upstream[] {
  const out: Upstream[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m && isIP(m[1]!)) out.push({ host: m[1]!, port: 53 });
  }
  return out;
}
