// Where the DNS component's memory goes: the V8 heap retained by the objects the informers cache
// (full Services, EndpointSlices, Pods as the API returns them) against what the zone index needs.
// Loads an API server in this process, lists the objects over HTTP (as the DNS child does), and
// measures the heap after a full GC while each set is held.
//
//   node --expose-gc --import tsx bench/dns/mem-breakdown.ts [--services 10000 --pods 1000]
import { parseArgs } from 'node:util';
import { createApiServer } from '../../src/apiserver/index.js';
import { createClient, ENDPOINTSLICES, httpTransport, PODS, SERVICES } from '../../src/client/index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../../src/registry/types.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import { silentLogger } from '../../src/util/log.js';
import { ZoneIndex } from '../../src/dns/zone-index.js';
import { slimPod, slimService, slimSlice } from '../../src/dns/slim.js';

const { values } = parseArgs({ options: { services: { type: 'string', default: '10000' }, pods: { type: 'string', default: '1000' } } });
const N = Number(values.services);
const P = Number(values.pods);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};
const podIP = (i: number) => `10.244.${Math.floor(i / 250)}.${(i % 250) + 1}`;

const store = createMemoryStore();
const api = createApiServer({ store, logger: silentLogger, registryConfig: DEFAULT_REGISTRY_CONFIG, skipBootstrap: true });
await api.ready;
await api.listen('127.0.0.1', 0);
const r = api.registry;
for (const name of ['default', 'bench']) await r.create('/namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
for (let i = 0; i < N; i += 100) {
  await Promise.all(Array.from({ length: Math.min(100, N - i) }, (_, k) => r.create('/services', 'bench', { apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i + k}` }, spec: { ports: [{ name: 'http', port: 80 }] } })));
}
await r.create('/services', 'bench', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'big' }, spec: { clusterIP: 'None', selector: { app: 'big' }, ports: [{ name: 'http', port: 80 }] } });
for (let i = 0; i < P; i += 100) {
  await Promise.all(
    Array.from({ length: Math.min(100, P - i) }, async (_, k) => {
      const n = i + k;
      const pod = await r.create('/pods', 'bench', { apiVersion: 'v1', kind: 'Pod', metadata: { name: `big-${n}`, labels: { app: 'big' } }, spec: { nodeName: 'node-1', hostname: `big-${n}`, subdomain: 'big', containers: [{ name: 'c', image: 'busybox' }] } });
      await r.updateStatus('/pods', 'bench', `big-${n}`, { ...pod, status: { phase: 'Running', podIP: podIP(n), podIPs: [{ ip: podIP(n) }] } });
    }),
  );
}
for (let s = 0; s < P; s += 100) {
  await r.create('discovery.k8s.io/endpointslices', 'bench', {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `big-${s / 100}`, labels: { 'kubernetes.io/service-name': 'big' } },
    addressType: 'IPv4',
    endpoints: Array.from({ length: Math.min(100, P - s) }, (_, k) => ({ addresses: [podIP(s + k)], hostname: `big-${s + k}`, conditions: { ready: true } })),
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
  });
}
const client = createClient(httpTransport({ server: `http://127.0.0.1:${api.port()}` }));
const base = heap();
const services = (await client.resource(SERVICES).listAll()).items;
const slices = (await client.resource(ENDPOINTSLICES).listAll()).items;
const pods = (await client.resource(PODS).listAll()).items;
const full = heap();
const slim = { services: services.map(slimService), slices: slices.map(slimSlice), pods: pods.map(slimPod) };
const both = heap();
services.length = slices.length = pods.length = 0;
const slimOnly = heap();
const index = new ZoneIndex('cluster.local');
for (const s of slim.services) index.setService(s, true);
for (const s of slim.slices) index.setSlice(s, true);
for (const p of slim.pods) index.setPod(p, true);
const withIndex = heap();
console.log(`${N} Services, ${P} pods: full objects ${(full - base).toFixed(1)} MiB of heap; slim copies ${(slimOnly - base).toFixed(1)} MiB (${(both - full).toFixed(1)} while both held); zone index on top ${(withIndex - slimOnly).toFixed(1)} MiB`);
client.close();
await api.close();
await store.close();
process.exit(0);
