// What cluster DNS costs a running kubesvc: in `kubesvc up` the DNS server is not a process of its
// own but a component of the cluster process, so the memory a user pays for it is what the process
// grows by when DNS starts on the loaded records. Compared with CoreDNS's published sizing for a
// separate DNS pod, (pods + services) × 0.000858 MB + 49 MB.
//
//   node --expose-gc --import tsx bench/dns/marginal.ts [--services 10000] [--pods 1000]
import { readFileSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { cpus, loadavg, release } from 'node:os';
import { parseArgs } from 'node:util';
import { createApiServer } from '../../src/apiserver/index.js';
import { createClient, inProcessTransport } from '../../src/client/index.js';
import { startClusterDns } from '../../src/dns/cluster-dns.js';
import { DEFAULT_REGISTRY_CONFIG } from '../../src/registry/types.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import { silentLogger } from '../../src/util/log.js';
import { loadRecords } from './load-records.js';

const { values } = parseArgs({ options: { services: { type: 'string', default: '10000' }, pods: { type: 'string', default: '1000' } } });
const SERVICES = Number(values.services);
const PODS = Number(values.pods);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const MiB = 2 ** 20;

/** RSS and PSS (kB lines of smaps_rollup) and the V8 heap, after full collections and a settle. */
async function memory(): Promise<{ rss: number; pss: number; heap: number }> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await new Promise((r) => setTimeout(r, 300));
  }
  const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? NaN);
  return { rss: kb('Rss') / 1024, pss: kb('Pss') / 1024, heap: process.memoryUsage().heapUsed / MiB };
}

const store = createMemoryStore();
const api = createApiServer({ store, logger: silentLogger, registryConfig: DEFAULT_REGISTRY_CONFIG });
await api.ready;
for (const name of ['bench']) await api.registry.create('/namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const ips = await loadRecords(api.registry, SERVICES, PODS);
const before = await memory();

const client = createClient(inProcessTransport(api.registry));
const dns = startClusterDns({ client, logger: silentLogger, clusterDomain: 'cluster.local', listen: [{ host: '127.0.0.1', port: 0 }], upstreams: [], serviceCIDR: DEFAULT_REGISTRY_CONFIG.serviceCIDR });
await dns.ready;
// It answers from the loaded records before we measure.
const at = dns.dns.addresses()[0]!;
const resolver = new Resolver();
resolver.setServers([`127.0.0.1:${at.port}`]);
const last = SERVICES - 1;
const answer = await resolver.resolve4(`svc-${last}.bench.svc.cluster.local`);
if (answer[0] !== ips[last]) throw new Error(`DNS answered ${answer.join(',')}, want ${ips[last]}`);
const headless = await resolver.resolve4('big.bench.svc.cluster.local');
if (headless.length !== PODS) throw new Error(`headless answer has ${headless.length} addresses, want ${PODS}`);
const after = await memory();

const formula = (PODS + SERVICES) * 0.000858 + 49;
const f = (x: number) => `${x.toFixed(1)} MiB`;
console.log(`kubesvc cluster DNS, marginal memory with ${SERVICES} Services and a ${PODS}-pod headless Service (node ${process.version}, ${cpus().length} CPUs, Linux ${release()}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ${new Date().toISOString()})`);
console.log(`| | API server + records | + cluster DNS | DNS's cost |`);
console.log(`|---|---|---|---|`);
console.log(`| RSS | ${f(before.rss)} | ${f(after.rss)} | **${f(after.rss - before.rss)}** |`);
console.log(`| PSS | ${f(before.pss)} | ${f(after.pss)} | ${f(after.pss - before.pss)} |`);
console.log(`| V8 heap used | ${f(before.heap)} | ${f(after.heap)} | ${f(after.heap - before.heap)} |`);
console.log(`CoreDNS's formula for a DNS pod with these records: ${formula.toFixed(1)} MB (${(formula / 1.048576).toFixed(1)} MiB).`);
await dns.stop();
client.close();
await api.close();
await store.close();
