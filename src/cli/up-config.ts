// The one translation step of `kubesvc up`: raw flag strings in, a validated, typed UpConfig out.
// Components never see flags or the environment; they get the pieces of UpConfig they need.
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { CONTROLLERS } from '../controllers/index.js';
import { createLbPool } from '../controllers/lb-pool.js';
import type { RegistryConfig } from '../registry/types.js';
import type { Level } from '../util/log.js';
import { type DnsFlags, type DnsUpConfig, dnsConfigFromFlags } from './dns-flags.js';
import { parseUpProxyFlags, type UpProxyOptions } from '../proxy/up-options.js';
import { type NodeFlags, type NodeUpConfig, nodeConfigFromFlags } from './node-flags.js';
import { UsageError } from './usage-error.js';

/** Where objects are kept: the part of the store package's StoreConfig (src/store/index.ts) the CLI sets. */
export type StoreChoice =
  | { backend: 'embedded'; dir: string }
  | { backend: 'memory' }
  | { backend: 'etcd'; endpoints: string[] };

export interface ListenAddress {
  /** An IP literal (IPv6 without brackets). */
  host: string;
  /** 0 = pick a free port (the kubeconfig gets the real one). */
  port: number;
}

export interface UpConfig {
  /** Absolute path; holds `store/` and `kubeconfig`. */
  dataDir: string;
  listen: ListenAddress;
  store: StoreChoice;
  registry: RegistryConfig;
  logLevel: Level;
  /** How often to compact store history older than the latest revision; 0 = never. */
  compactionIntervalMs: number;
  /** Controllers to run, as kube-controller-manager's --controllers ("*", "name", "-name"); [] = none. */
  controllers: string[];
  /** IPv4 CIDRs LoadBalancer Services get their ingress address from (service-lb-controller). */
  loadBalancerCIDRs: string[];
  /** The node agent (src/node): off unless --node-agent or --isolated. */
  node: NodeUpConfig;
  /** Cluster DNS (src/dns): always on; the host-facing listener defaults to a free loopback port. */
  dns: DnsUpConfig;
  /** The service proxy (--proxy-mode, --proxy-netns): none by default, nftables with the node agent. */
  proxy: UpProxyOptions;
}

/** The flags of `kubesvc up` exactly as typed (undefined = not given). */
export interface UpFlags extends NodeFlags, DnsFlags {
  'data-dir'?: string;
  listen?: string;
  'service-cidr'?: string;
  'service-node-port-range'?: string;
  store?: string;
  'etcd-endpoints'?: string;
  'log-level'?: string;
  'etcd-compaction-interval'?: string;
  controllers?: string;
  'load-balancer-cidr'?: string;
  'proxy-mode'?: string;
  'proxy-netns'?: string;
}

export const UP_DEFAULTS = {
  dataDir: '.kubesvc',
  listen: '127.0.0.1:6443',
  serviceCIDR: '10.96.0.0/12',
  nodePortRange: '30000-32767',
  store: 'embedded',
  logLevel: 'info',
  // kube-apiserver compacts etcd every 5 minutes by default (--etcd-compaction-interval).
  compactionInterval: '5m',
  controllers: '*',
  loadBalancerCIDR: '10.250.0.0/24',
} as const;

const LEVELS: readonly Level[] = ['debug', 'info', 'warn', 'error'];

export function upConfigFromFlags(flags: UpFlags, cwd: string): UpConfig {
  const dataDir = resolve(cwd, nonEmpty('--data-dir', flags['data-dir'] ?? UP_DEFAULTS.dataDir));
  const node = nodeConfigFromFlags(flags);
  return {
    dataDir,
    listen: parseListen(flags.listen ?? UP_DEFAULTS.listen),
    store: parseStore(flags.store ?? UP_DEFAULTS.store, flags['etcd-endpoints'], dataDir),
    registry: {
      serviceCIDR: parseServiceCIDR(flags['service-cidr'] ?? UP_DEFAULTS.serviceCIDR),
      nodePortRange: parsePortRange(flags['service-node-port-range'] ?? UP_DEFAULTS.nodePortRange),
    },
    logLevel: parseLevel(flags['log-level'] ?? UP_DEFAULTS.logLevel),
    compactionIntervalMs: parseDuration(
      '--etcd-compaction-interval',
      flags['etcd-compaction-interval'] ?? UP_DEFAULTS.compactionInterval,
    ),
    controllers: parseControllers(flags.controllers ?? UP_DEFAULTS.controllers),
    loadBalancerCIDRs: parseLoadBalancerCIDRs(flags['load-balancer-cidr'] ?? UP_DEFAULTS.loadBalancerCIDR),
    node,
    dns: dnsConfigFromFlags(flags),
    proxy: parseProxy(flags, node),
  };
}

function parseProxy(flags: UpFlags, node: NodeUpConfig): UpProxyOptions {
  try {
    return parseUpProxyFlags({ mode: flags['proxy-mode'], netns: flags['proxy-netns'], nodeName: node.name, nodeAgent: node.agent });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/** Comma-separated IPv4 CIDRs, each checked as the pool will use it. */
export function parseLoadBalancerCIDRs(v: string): string[] {
  const cidrs = v.split(',').map((c) => c.trim()).filter(Boolean);
  try {
    createLbPool(cidrs);
  } catch (e) {
    throw new UsageError(`invalid --load-balancer-cidr "${v}": ${e instanceof Error ? e.message : String(e)}`);
  }
  return cidrs;
}

/** `*`, names, and `-name` to switch one off (kube-controller-manager's --controllers); `""` runs none. */
export function parseControllers(v: string): string[] {
  const known = CONTROLLERS.map((c) => c.name);
  const list = v
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  for (const item of list) {
    const name = item.replace(/^-/, '');
    if (item !== '*' && !known.includes(name)) {
      throw new UsageError(`invalid --controllers "${v}": unknown controller "${name}" (known: ${known.join(', ')})`);
    }
  }
  return list;
}

function nonEmpty(flag: string, v: string): string {
  if (v.trim() === '') throw new UsageError(`${flag} must not be empty`);
  return v;
}

/** `HOST:PORT` or `[IPv6]:PORT`; HOST is an IP literal or `localhost`. */
export function parseListen(v: string): ListenAddress {
  const bad = (why: string) => new UsageError(`invalid --listen "${v}": ${why} (want ADDR:PORT, e.g. 127.0.0.1:6443)`);
  let host: string;
  let portText: string;
  const bracketed = /^\[([^\]]+)\]:(\d*)$/.exec(v);
  if (bracketed) {
    host = bracketed[1];
    portText = bracketed[2];
    if (isIP(host) !== 6) throw bad('the address in brackets is not an IPv6 address');
  } else {
    const i = v.lastIndexOf(':');
    if (i < 0) throw bad('missing port');
    host = v.slice(0, i);
    portText = v.slice(i + 1);
    if (host.includes(':')) throw bad('put an IPv6 address in brackets');
    if (host === 'localhost') host = '127.0.0.1';
    if (isIP(host) !== 4) throw bad('the address must be an IP address or localhost');
  }
  if (!/^\d+$/.test(portText)) throw bad('the port must be a number');
  const port = Number(portText);
  if (port > 65535) throw bad('the port must be 0-65535');
  return { host, port };
}

function parseStore(backend: string, endpoints: string | undefined, dataDir: string): StoreChoice {
  if (backend !== 'etcd' && endpoints !== undefined) {
    throw new UsageError('--etcd-endpoints is only valid with --store etcd');
  }
  switch (backend) {
    case 'embedded':
      return { backend: 'embedded', dir: resolve(dataDir, 'store') };
    case 'memory':
      return { backend: 'memory' };
    case 'etcd': {
      const list = (endpoints ?? '')
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e !== '');
      if (list.length === 0) throw new UsageError('--store etcd needs --etcd-endpoints (e.g. http://127.0.0.1:2379)');
      for (const e of list) {
        let u: URL;
        try {
          u = new URL(e);
        } catch {
          throw new UsageError(`invalid --etcd-endpoints entry "${e}": not a URL`);
        }
        if (u.protocol !== 'http:' && u.protocol !== 'https:') {
          throw new UsageError(`invalid --etcd-endpoints entry "${e}": the scheme must be http or https`);
        }
      }
      return { backend: 'etcd', endpoints: list };
    }
    default:
      throw new UsageError(`invalid --store "${backend}": must be one of embedded, memory, etcd`);
  }
}

/**
 * One IPv4 or IPv6 CIDR. Like kube-apiserver, a range with more than 2^20 addresses is refused
 * (mask >= 12 for IPv4, >= 108 for IPv6), and IPv4 host bits are masked off.
 */
export function parseServiceCIDR(v: string): string {
  if (v.includes(',')) throw new UsageError(`invalid --service-cidr "${v}": dual-stack service CIDRs are not supported yet`);
  const m = /^([^/]+)\/(\d{1,3})$/.exec(v.trim());
  const bad = (why: string) => new UsageError(`invalid --service-cidr "${v}": ${why}`);
  if (!m) throw bad('want a CIDR such as 10.96.0.0/12');
  const family = isIP(m[1]);
  if (family === 0) throw bad('not an IP address');
  const bits = family === 4 ? 32 : 128;
  const prefix = Number(m[2]);
  if (prefix > bits) throw bad(`the mask must be <= ${bits}`);
  if (bits - prefix > 20) throw bad(`the range is too large; for ${bits}-bit addresses, the mask must be >= ${bits - 20}`);
  if (bits - prefix < 2) throw bad('the range is too small to hold any Service IP');
  if (family === 6) return `${m[1].toLowerCase()}/${prefix}`;
  const n = m[1].split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const net = prefix === 0 ? 0 : Math.floor(n / 2 ** (32 - prefix)) * 2 ** (32 - prefix);
  const octets = [24, 16, 8, 0].map((s) => Math.floor(net / 2 ** s) % 256);
  return `${octets.join('.')}/${prefix}`;
}

/** `MIN-MAX`, `BASE+OFFSET` (as Kubernetes' PortRange accepts) or a single port; inclusive. */
export function parsePortRange(v: string): RegistryConfig['nodePortRange'] {
  const bad = (why: string) => new UsageError(`invalid --service-node-port-range "${v}": ${why}`);
  const m = /^(\d+)(?:([-+])(\d+))?$/.exec(v.trim());
  if (!m) throw bad('want MIN-MAX, e.g. 30000-32767');
  const base = Number(m[1]);
  const max = m[2] === undefined ? base : m[2] === '-' ? Number(m[3]) : base + Number(m[3]);
  if (base < 1 || max > 65535) throw bad('ports must be within 1-65535');
  if (max < base) throw bad('the end of the range is before its start');
  return { base, size: max - base + 1 };
}

function parseLevel(v: string): Level {
  const level = LEVELS.find((l) => l === v);
  if (!level) throw new UsageError(`invalid --log-level "${v}": must be one of ${LEVELS.join(', ')}`);
  return level;
}

/** Go-style durations as kube-apiserver takes them: `0`, `500ms`, `30s`, `5m`, `1h`, `1m30s`. */
export function parseDuration(flag: string, v: string): number {
  if (v === '0') return 0;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(v); m; m = re.exec(v)) {
    total += Number(m[1]) * unit[m[2]];
    matched = re.lastIndex;
  }
  if (v === '' || matched !== v.length) throw new UsageError(`invalid ${flag} "${v}": want a duration such as 5m, 30s or 0`);
  return Math.round(total);
}
