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
import { loadRecords } from './load-records.js';

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

const store = createMemoryStore();
const api = createApiServer({ store, logger: silentLogger, registryConfig: DEFAULT_REGISTRY_CONFIG, skipBootstrap: true });
await api.ready;
await api.listen('127.0.0.1', 0);
const r = api.registry;
for (const name of ['default', 'bench']) await r.create('/namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
await loadRecords(r, N, P);
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
