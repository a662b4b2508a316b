// The periodic full resync in the kernel: it rewrites the kubesvc table in place, so a client's
// ClientIP affinity entry survives it (a replaced table would forget every pinned client).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, ENDPOINTSLICES, inProcessTransport, SERVICES, type Client } from '../../src/client/index.js';
import { createProxy, type Proxy } from '../../src/proxy/index.js';
import { createRegistry } from '../../src/registry/index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../../src/registry/types.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import type { Store } from '../../src/store/types.js';
import { silentLogger } from '../../src/util/log.js';
import { kernelTestsSkipReason, TestNode, type Pod } from './netns.js';

const skip = kernelTestsSkipReason();
const node = new TestNode();
let store: Store;
let client: Client;
let proxy: Proxy;
let pods: Pod[];
let clientPod: Pod;

before(async () => {
  if (skip) return;
  await node.create();
  pods = [await node.addPod('p1', '10.244.0.11'), await node.addPod('p2', '10.244.0.12'), await node.addPod('p3', '10.244.0.13')];
  clientPod = await node.addPod('client', '10.244.0.20', false);
  store = createMemoryStore();
  const registry = await createRegistry({ store, logger: silentLogger, config: DEFAULT_REGISTRY_CONFIG });
  await registry.create('/namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  client = createClient(inProcessTransport(registry));
  await client.resource(SERVICES).create('default', {
    metadata: { name: 'sticky' },
    spec: { clusterIP: '10.96.0.40', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ port: 80, targetPort: 8080 }] },
  });
  await client.resource(ENDPOINTSLICES).create('default', {
    metadata: { name: 'sticky-1', labels: { 'kubernetes.io/service-name': 'sticky' } },
    addressType: 'IPv4',
    ports: [{ name: '', port: 8080, protocol: 'TCP' }],
    endpoints: pods.map((p) => ({ addresses: [p.ip], conditions: { ready: true }, nodeName: 'node-a' })),
  });
  proxy = createProxy({
    client,
    nodeName: 'node-a',
    nftCommand: ['ip', 'netns', 'exec', node.ns, 'nft'],
    conntrackCommand: ['ip', 'netns', 'exec', node.ns, 'conntrack'],
    minSyncIntervalMs: 0,
    fullSyncPeriodMs: 1500,
  });
  proxy.start();
  await proxy.ready;
});

after(async () => {
  try {
    await proxy?.stop();
    client?.close();
    await store?.close();
  } finally {
    await node.destroy();
  }
});

test('a periodic full resync keeps the affinity sets: a pinned client stays pinned', { skip }, async () => {
  const first = await clientPod.agent.tcp('10.96.0.40', 80);
  assert.ok(first.data, String(first.err));
  const pinnedSets = () => node.nft(['list', 'sets', 'table', 'ip', 'kubesvc']).match(/set aff-[^\s]+ \{[^}]*10\.244\.0\.20/g) ?? [];
  assert.equal(pinnedSets().length, 1, 'the client is in one affinity set');
  const fullCount = async () => {
    const m = await proxy.metrics.syncDuration.get();
    return m.values.find((v) => v.labels.kind === 'full' && v.metricName?.endsWith('_count'))?.value ?? 0;
  };
  const before = await fullCount();
  const deadline = Date.now() + 10_000;
  while ((await fullCount()) < before + 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  assert.ok((await fullCount()) >= before + 2, 'two more full syncs ran');
  assert.equal(pinnedSets().length, 1, 'still in its affinity set after the full resyncs');
  for (let i = 0; i < 5; i++) assert.equal((await clientPod.agent.tcp('10.96.0.40', 80)).data, first.data);
});
