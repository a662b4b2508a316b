// ProxyConfig (habit 6): the one typed input of createProxy; `resolveProxyConfig` validates it and
// fills the defaults. Components never read flags or the environment.
import type { Registry as PromRegistry } from 'prom-client';
import type { Client, Clock, SharedInformerFactory } from '../client/index.js';
import { realClock } from '../client/index.js';
import { silentLogger, type Logger } from '../util/log.js';
import { spawnExec, type Exec } from './exec.js';
import { isIPv4 } from './service-info.js';

export type ProxyMode = 'nftables' | 'iptables' | 'userspace';

export interface ProxyConfig {
  /** The API client (used when no informer factory is shared). */
  client?: Client;
  /** Share informers with other components of the process (preferred). */
  informers?: SharedInformerFactory;
  /** This node's name: endpoints on it are "local" for the traffic policies. */
  nodeName: string;
  mode?: ProxyMode;
  /** Default ["10.96.0.0/12"]. */
  serviceCIDRs?: string[];
  /** Default "10.244.0.0/16"; "" turns masquerading of non-pod sources off. */
  podCIDR?: string;
  /** IPv4 addresses NodePorts answer on; default: every local address. */
  nodePortAddresses?: string[];
  /** Where health-check node ports listen (default "0.0.0.0"); null turns them off. */
  healthCheckBindAddress?: string | null;
  /** Minimum time between two syncs (default 250 ms); changes inside it coalesce. */
  minSyncIntervalMs?: number;
  /** A full rewrite this often (default 1 h); incremental syncs in between. */
  fullSyncPeriodMs?: number;
  /** Retry after a failed sync (default 1 s; that retry is a full sync). */
  retryMs?: number;
  /** The nft command, e.g. ["ip", "netns", "exec", "ns1", "nft"] (default ["nft"]). */
  nftCommand?: string[];
  /** userspace mode: the ip command that adds ClusterIPs to lo (default ["ip"]; same netns as this process). */
  ipCommand?: string[];
  /** userspace mode: a UDP session ends after this long without traffic (default 250 ms, kube-proxy's --udp-timeout). */
  udpIdleTimeoutMs?: number;
  /** The conntrack command (default ["conntrack"]). */
  conntrackCommand?: string[];
  /** iptables mode: the iptables, iptables-restore and iptables-save commands (defaults: those names). */
  iptablesCommand?: string[];
  iptablesRestoreCommand?: string[];
  iptablesSaveCommand?: string[];
  exec?: Exec;
  clock?: Clock;
  logger?: Logger;
  metricsRegistry?: PromRegistry;
}

export type ResolvedProxyConfig = Required<Omit<ProxyConfig, 'client' | 'informers' | 'metricsRegistry' | 'healthCheckBindAddress'>> &
  Pick<ProxyConfig, 'client' | 'informers' | 'metricsRegistry'> & { healthCheckBindAddress: string | null };

const CIDR = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/;

function checkCIDR(what: string, c: string): void {
  const m = CIDR.exec(c);
  if (!m || !isIPv4(m[1]) || Number(m[2]) > 32) throw new Error(`proxy: ${what} ${JSON.stringify(c)} is not an IPv4 CIDR`);
}

export function resolveProxyConfig(c: ProxyConfig): ResolvedProxyConfig {
  if (!c.client && !c.informers) throw new Error('proxy: a client or an informer factory is required');
  if (!c.nodeName) throw new Error('proxy: nodeName is required');
  const mode = c.mode ?? 'nftables';
  if (mode !== 'nftables' && mode !== 'iptables' && mode !== 'userspace') {
    throw new Error(`proxy: unknown mode ${JSON.stringify(mode)} (nftables, iptables, userspace)`);
  }
  const serviceCIDRs = c.serviceCIDRs ?? ['10.96.0.0/12'];
  serviceCIDRs.forEach((x) => checkCIDR('service CIDR', x));
  const podCIDR = c.podCIDR ?? '10.244.0.0/16';
  if (podCIDR) checkCIDR('pod CIDR', podCIDR);
  const nodePortAddresses = c.nodePortAddresses ?? [];
  for (const a of nodePortAddresses) if (!isIPv4(a)) throw new Error(`proxy: node port address ${JSON.stringify(a)} is not an IPv4 address`);
  const nonNegative = (name: string, v: number) => {
    if (!Number.isFinite(v) || v < 0) throw new Error(`proxy: ${name} must be a non-negative number of ms`);
    return v;
  };
  return {
    client: c.client,
    informers: c.informers,
    metricsRegistry: c.metricsRegistry,
    nodeName: c.nodeName,
    mode,
    serviceCIDRs,
    podCIDR,
    nodePortAddresses,
    healthCheckBindAddress: c.healthCheckBindAddress === undefined ? '0.0.0.0' : c.healthCheckBindAddress,
    minSyncIntervalMs: nonNegative('minSyncIntervalMs', c.minSyncIntervalMs ?? 250),
    fullSyncPeriodMs: nonNegative('fullSyncPeriodMs', c.fullSyncPeriodMs ?? 3_600_000),
    retryMs: nonNegative('retryMs', c.retryMs ?? 1000),
    nftCommand: c.nftCommand ?? ['nft'],
    conntrackCommand: c.conntrackCommand ?? ['conntrack'],
    ipCommand: c.ipCommand ?? ['ip'],
    udpIdleTimeoutMs: nonNegative('udpIdleTimeoutMs', c.udpIdleTimeoutMs ?? 250),
    iptablesCommand: c.iptablesCommand ?? ['iptables'],
    iptablesRestoreCommand: c.iptablesRestoreCommand ?? ['iptables-restore'],
    iptablesSaveCommand: c.iptablesSaveCommand ?? ['iptables-save'],
    exec: c.exec ?? spawnExec,
    clock: c.clock ?? realClock,
    logger: c.logger ?? silentLogger,
  };
}
