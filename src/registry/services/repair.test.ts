// The start-up repair pass: leaked keys freed, missing keys recorded, double claims resolved and
// logged, and the in-memory view loaded from the result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import { createMemoryStore } from '../../store/memory/memory-store.js';
import { createLogger } from '../../util/log.js';
import { DEFAULT_REGISTRY_CONFIG } from '../types.js';
import { CLUSTER_IP_PREFIX, NODE_PORT_PREFIX } from './allocations.js';
import { createServiceStrategy } from './strategy.js';
import { SERVICES_PREFIX, ServiceHarness, errorOf } from './testing.js';

const stored = (name: string, spec: Service['spec']): Service => ({ metadata: { name, namespace: 'default', uid: `u-${name}` }, spec });

test('repair reconciles allocation keys with stored Services and logs what it did', async () => {
  const store = createMemoryStore();
  const owner = (name: string) => JSON.stringify({ namespace: 'default', name });
  await store.txn(
    [],
    [
      // a: ClusterIP with its key; b: NodePort whose keys are missing; c: claims b's IP too.
      { type: 'put', key: `${SERVICES_PREFIX}default/a`, value: JSON.stringify(stored('a', { type: 'ClusterIP', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: [{ port: 80 }] })) },
      { type: 'put', key: `${SERVICES_PREFIX}default/b`, value: JSON.stringify(stored('b', { type: 'NodePort', clusterIP: '10.96.0.21', clusterIPs: ['10.96.0.21'], ports: [{ port: 80, nodePort: 30500 }] })) },
      { type: 'put', key: `${SERVICES_PREFIX}default/c`, value: JSON.stringify(stored('c', { type: 'ClusterIP', clusterIP: '10.96.0.21', clusterIPs: ['10.96.0.21'], ports: [{ port: 80 }] })) },
      { type: 'put', key: `${SERVICES_PREFIX}default/d`, value: JSON.stringify(stored('d', { type: 'ClusterIP', clusterIP: '192.168.0.1', clusterIPs: ['192.168.0.1'], ports: [{ port: 80 }] })) },
      { type: 'put', key: `${CLUSTER_IP_PREFIX}10.96.0.20`, value: owner('a') },
      // Leaks: values no Service holds.
      { type: 'put', key: `${CLUSTER_IP_PREFIX}10.96.0.99`, value: owner('gone') },
      { type: 'put', key: `${NODE_PORT_PREFIX}30999`, value: owner('gone') },
    ],
  );
  const lines: string[] = [];
  const strategy = await createServiceStrategy(store, DEFAULT_REGISTRY_CONFIG, createLogger({ sink: (l) => lines.push(l) }), SERVICES_PREFIX);
  const keys = async (p: string) => (await store.range(p)).items.map((kv) => `${kv.key.slice(p.length)}=${JSON.parse(kv.value).name}`);
  assert.deepEqual(await keys(CLUSTER_IP_PREFIX), ['10.96.0.20=a', '10.96.0.21=b']);
  assert.deepEqual(await keys(NODE_PORT_PREFIX), ['30500=b']);
  assert.equal(strategy.allocations.ips.count(), 2);
  assert.equal(strategy.allocations.ports.count(), 1);
  const log = lines.join('\n');
  assert.match(log, /freed allocation no Service holds.*10\.96\.0\.99/);
  assert.match(log, /freed allocation no Service holds.*30999/);
  assert.match(log, /recorded allocation held by a Service.*10\.96\.0\.21/);
  assert.match(log, /value allocated twice.*clusterIP 10\.96\.0\.21 claimed by default\/b and default\/c/);
  assert.match(log, /outside the configured range.*192\.168\.0\.1 of default\/d/);
  assert.match(log, /repair done.*services=4 clusterIPs=2 nodePorts=1 freed=2 recorded=2 conflicts=1/);

  // After repair the values behave as allocated / free.
  const h = await ServiceHarness.open(store);
  assert.match(await errorOf(h.create({ metadata: { name: 'x' }, spec: { clusterIP: '10.96.0.21', ports: [{ port: 80 }] } })), /provided IP is already allocated/);
  assert.ok(await h.create({ metadata: { name: 'y' }, spec: { clusterIP: '10.96.0.99', ports: [{ port: 80 }] } }));
  assert.ok(await h.create({ metadata: { name: 'z' }, spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30999 }] } }));
});

test('repair on a consistent store changes nothing', async () => {
  const store = createMemoryStore();
  const h = await ServiceHarness.open(store);
  await h.create({ metadata: { name: 'a' }, spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] } });
  const rev = await store.currentRevision();
  const again = await ServiceHarness.open(store);
  assert.equal(await store.currentRevision(), rev);
  assert.equal(again.strategy.allocations.ips.count(), 1);
  assert.equal(again.strategy.allocations.ports.count(), 2);
});
