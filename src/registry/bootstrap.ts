// What kube-apiserver creates on start: the system namespaces, and the `kubernetes` Service in
// `default` (the first address of the service CIDR, port https 443 → 6443) with its Endpoints and
// EndpointSlice pointing at the API server's advertised address. Idempotent across restarts:
// what exists is kept, or corrected if the advertised address changed.
import { StatusError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { Logger } from '../util/log.js';
import type { Registry } from './index.js';
import { SYSTEM_NAMESPACES } from './namespace-lifecycle.js';
import type { RegistryConfig } from './types.js';

export interface BootstrapOptions {
  registry: Registry;
  config: RegistryConfig;
  logger: Logger;
  advertiseAddress: string;
  advertisePort: number;
}

/** The first usable address of a CIDR (network address + 1), IPv4 or IPv6. */
export function firstAddress(cidr: string): string {
  const [addr, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (addr.includes(':')) {
    const full = expandIPv6(addr);
    let n = BigInt('0x' + full.join(''));
    const mask = ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - bits)) - 1n);
    n = (n & mask) + 1n;
    const hex = n.toString(16).padStart(32, '0');
    const groups = hex.match(/.{4}/g)!.map((g) => g.replace(/^0+(?=.)/, ''));
    return compressIPv6(groups);
  }
  const n = addr.split('.').reduce((a, o) => (a << 8n) | BigInt(Number(o)), 0n);
  const mask = ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - bits)) - 1n);
  const first = (n & mask) + 1n;
  return [24n, 16n, 8n, 0n].map((s) => String((first >> s) & 255n)).join('.');
}

function expandIPv6(a: string): string[] {
  const [head, tail] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const fill = a.includes('::') ? Array(8 - h.length - t.length).fill('0') : [];
  return [...h, ...fill, ...t].map((g) => g.padStart(4, '0'));
}

function compressIPv6(groups: string[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

async function ensure(
  registry: Registry,
  res: string,
  namespace: string | undefined,
  want: KubeObject,
  /** Copies what must match into the live object; returns true if it changed anything. */
  reconcile?: (live: KubeObject) => boolean,
): Promise<void> {
  const name = want.metadata?.name ?? '';
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const live = await registry.get(res, namespace, name);
      if (reconcile?.(live)) await registry.update(res, namespace, name, live);
      return;
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
    }
    try {
      await registry.create(res, namespace, want);
      return;
    } catch (err) {
      // Another apiserver won the race: look again, its object may need our correction.
      if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
    }
  }
}

export async function bootstrap(opts: BootstrapOptions): Promise<void> {
  const { registry } = opts;
  const log = opts.logger.with({ component: 'bootstrap' });
  for (const ns of SYSTEM_NAMESPACES) {
    await ensure(registry, '/namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }

  const clusterIP = firstAddress(opts.config.serviceCIDR);
  await ensure(registry, '/services', 'default', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP,
      clusterIPs: [clusterIP],
      ipFamilies: [clusterIP.includes(':') ? 'IPv6' : 'IPv4'],
      ipFamilyPolicy: 'SingleStack',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
    },
  });

  const ip = opts.advertiseAddress;
  const port = opts.advertisePort;
  const subsets = [{ addresses: [{ ip }], ports: [{ name: 'https', port, protocol: 'TCP' }] }];
  await ensure(
    registry,
    '/endpoints',
    'default',
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      // skip-mirror: the EndpointSlice below is written directly, as kube-apiserver does.
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets,
    },
    (live) => {
      if (JSON.stringify(live.subsets) === JSON.stringify(subsets)) return false;
      live.subsets = subsets;
      return true;
    },
  );

  const endpoints = [{ addresses: [ip], conditions: { ready: true } }];
  const ports = [{ name: 'https', port, protocol: 'TCP' }];
  await ensure(
    registry,
    'discovery.k8s.io/endpointslices',
    'default',
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: ip.includes(':') ? 'IPv6' : 'IPv4',
      endpoints,
      ports,
    },
    (live) => {
      if (JSON.stringify(live.endpoints) === JSON.stringify(endpoints) && JSON.stringify(live.ports) === JSON.stringify(ports)) return false;
      live.endpoints = endpoints;
      live.ports = ports;
      return true;
    },
  );
  log.debug('bootstrap objects ensured', { clusterIP, endpoint: `${ip}:${port}` });
}
