// The DNS part of `kubesvc up`'s translation step: --cluster-domain, --dns-listen, --dns-upstream
// (strings in, DnsUpConfig out; UsageErrors name the flag). Kept apart so up-config.ts only calls it.
import { isIP } from 'node:net';
import { normalizeZone } from '../dns/config.js';
import { UsageError } from './usage-error.js';

export interface DnsAddress {
  host: string;
  port: number;
}

export interface DnsUpConfig {
  clusterDomain: string;
  /** Host-facing listener (UDP and TCP); port 0 picks a free one (logged and printed). */
  listen: DnsAddress;
  /** Resolvers for names outside the cluster zone; undefined = the nameservers of /etc/resolv.conf. */
  upstreams: DnsAddress[] | undefined;
}

export const DNS_STRING_FLAGS = ['cluster-domain', 'dns-listen', 'dns-upstream'] as const;

export const DNS_DEFAULTS = {
  clusterDomain: 'cluster.local',
  // Port 0: several clusters (and parallel tests) on one host must not fight over a fixed port.
  listen: '127.0.0.1:0',
} as const;

export interface DnsFlags {
  'cluster-domain'?: string;
  'dns-listen'?: string;
  'dns-upstream'?: string;
}

export function dnsConfigFromFlags(flags: DnsFlags): DnsUpConfig {
  let clusterDomain: string;
  const domain = flags['cluster-domain'] ?? DNS_DEFAULTS.clusterDomain;
  try {
    clusterDomain = normalizeZone(domain);
  } catch {
    throw new UsageError(`invalid --cluster-domain "${domain}": want a DNS name such as cluster.local`);
  }
  const listenText = flags['dns-listen'] ?? DNS_DEFAULTS.listen;
  const listen = parseAddress(listenText, undefined);
  if (!listen) throw new UsageError(`invalid --dns-listen "${listenText}": want ADDR:PORT, e.g. 127.0.0.1:1053`);
  const up = flags['dns-upstream'];
  let upstreams: DnsAddress[] | undefined;
  if (up !== undefined) {
    upstreams = [];
    for (const item of up.split(',').map((s) => s.trim()).filter(Boolean)) {
      const a = parseAddress(item, 53);
      if (!a) throw new UsageError(`invalid --dns-upstream entry "${item}": want ADDR or ADDR:PORT ([IPv6]:PORT)`);
      upstreams.push(a);
    }
  }
  return { clusterDomain, listen, upstreams };
}

/** `ADDR:PORT`, `[IPv6]:PORT`, or (with a default port) a bare address. */
function parseAddress(v: string, defaultPort: number | undefined): DnsAddress | undefined {
  const port = (p: string) => (/^\d+$/.test(p) && Number(p) <= 65535 ? Number(p) : undefined);
  const br = /^\[([^\]]+)\](?::(\d+))?$/.exec(v);
  if (br) {
    const p = br[2] === undefined ? defaultPort : port(br[2]);
    return isIP(br[1]!) === 6 && p !== undefined ? { host: br[1]!, port: p } : undefined;
  }
  if (isIP(v)) return defaultPort === undefined ? undefined : { host: v, port: defaultPort };
  const i = v.lastIndexOf(':');
  if (i < 0) return undefined;
  const host = v.slice(0, i) === 'localhost' ? '127.0.0.1' : v.slice(0, i);
  const p = port(v.slice(i + 1));
  return isIP(host) === 4 && p !== undefined ? { host, port: p } : undefined;
}
