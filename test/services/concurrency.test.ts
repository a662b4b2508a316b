// 2,000 Services created by 16 concurrent clients: no ClusterIP or NodePort is handed out twice,
// the allocation keys match the Services exactly, and after deleting them all everything is free
// again, also as seen by a restarted strategy (repair over the same store). A second case runs two
// strategy instances (two apiservers) on one store: their views lag each other, the store's
// compares keep allocations unique, and each follows the other's releases.
// Store: the embedded (SQLite) backend in a temp dir; a restart closes it and opens it again, and a
// new strategy instance runs the start-up repair over what is on disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedStore } from '../../src/store/embedded/embedded-store.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import type { Store } from '../../src/store/types.js';
import { CLUSTER_IP_PREFIX, NODE_PORT_PREFIX } from '../../src/registry/services/allocations.js';
import { heldIPs, heldPorts } from '../../src/registry/services/service-alloc.js';
import { SERVICES_PREFIX, ServiceHarness } from '../../src/registry/services/testing.js';

const TOTAL = 2000;
const CLIENTS = 16;
const TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer'] as const;

function manifest(i: number): Service {
  const type = TYPES[i % 3];
  const spec: Service['spec'] = { type, selector: { app: `s${i}` }, ports: [{ name: 'http', port: 80 }, { name: 'http-udp', port: 80, protocol: 'UDP' }] };
  if (type === 'LoadBalancer' && i % 2 === 0) spec.externalTrafficPolicy = 'Local';
  return { metadata: { name: `s${i}`, namespace: `ns${i % 4}` }, spec };
}

/** Runs `work(i)` for i in [0, total) on `clients` concurrent workers. */
async function fanOut(total: number, clients: number, work: (i: number, client: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = next++; i < total; i = next++) await work(i, c);
    }),
  );
}

async function assertUniqueAndRecorded(store: Store): Promise<{ ips: number; ports: number }> {
  const ips = new Map<string, string>();
  const ports = new Map<number, string>();
  for (const kv of (await store.range(SERVICES_PREFIX)).items) {
    const s = JSON.parse(kv.value) as Service;
    const who = `${s.metadata?.namespace}/${s.metadata?.name}`;
    for (const ip of heldIPs(s)) {
      assert.ok(!ips.has(ip), `${ip} held by ${ips.get(ip)} and ${who}`);
      ips.set(ip, who);
    }
    for (const p of heldPorts(s)) {
      assert.ok(!ports.has(p), `${p} held by ${ports.get(p)} and ${who}`);
      ports.set(p, who);
    }
  }
  const keyOwners = async (prefix: string) =>
    new Map((await store.range(prefix)).items.map((kv) => [kv.key.slice(prefix.length), `${JSON.parse(kv.value).namespace}/${JSON.parse(kv.value).name}`]));
  assert.deepEqual(await keyOwners(CLUSTER_IP_PREFIX), new Map([...ips].map(([k, v]) => [k, v])));
  assert.deepEqual(await keyOwners(NODE_PORT_PREFIX), new Map([...ports].map(([k, v]) => [String(k), v])));
  return { ips: ips.size, ports: ports.size };
}

test('2,000 Services from 16 clients: unique allocations, all free after deletion, also across restarts', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kubesvc-svc-concurrency-'));
  const open = () => createEmbeddedStore({ dir, durability: 'normal' });
  let store = await open();
  try {
    const h = await ServiceHarness.open(store);
    await fanOut(TOTAL, CLIENTS, async (i) => {
      await h.create(manifest(i));
    });
    const held = await assertUniqueAndRecorded(store);
    assert.equal(held.ips, TOTAL);
    // NodePort and LoadBalancer Services: one node port shared by TCP 80 and UDP 80, plus a
    // health-check port for every other LoadBalancer.
    const np = Math.ceil((TOTAL - 1) / 3) + Math.ceil((TOTAL - 2) / 3);
    const hc = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => i % 3 === 2 && i % 2 === 0).length;
    assert.equal(held.ports, np + hc);
    assert.equal(h.strategy.allocations.ips.count(), held.ips);
    assert.equal(h.strategy.allocations.ports.count(), held.ports);

    // Restart: reopen the store from disk; repair loads the same view and writes nothing.
    await store.close();
    store = await open();
    const rev = await store.currentRevision();
    const h2 = await ServiceHarness.open(store);
    assert.equal(await store.currentRevision(), rev, 'repair wrote nothing on a consistent store');
    assert.equal(h2.strategy.allocations.ips.count(), held.ips);
    assert.equal(h2.strategy.allocations.ports.count(), held.ports);

    // Delete half through the restarted instance, concurrently, then restart again.
    await fanOut(TOTAL / 2, CLIENTS, async (i) => {
      const m = manifest(i * 2);
      await h2.delete(m.metadata!.name!, m.metadata!.namespace);
    });
    const half = await assertUniqueAndRecorded(store);
    assert.equal(half.ips, TOTAL / 2);
    assert.equal(h2.strategy.allocations.ips.count(), half.ips);
    assert.equal(h2.strategy.allocations.ports.count(), half.ports);
    await store.close();
    store = await open();
    const h3 = await ServiceHarness.open(store);
    assert.equal(h3.strategy.allocations.ips.count(), half.ips);
    assert.equal(h3.strategy.allocations.ports.count(), half.ports);

    // Delete the rest; everything is free in memory, in the store, and after another restart.
    await fanOut(TOTAL / 2, CLIENTS, async (i) => {
      const m = manifest(i * 2 + 1);
      await h3.delete(m.metadata!.name!, m.metadata!.namespace);
    });
    assert.deepEqual(await assertUniqueAndRecorded(store), { ips: 0, ports: 0 });
    assert.equal(h3.strategy.allocations.ips.count() + h3.strategy.allocations.ports.count(), 0);
    await store.close();
    store = await open();
    const h4 = await ServiceHarness.open(store);
    assert.equal(h4.strategy.allocations.ips.count() + h4.strategy.allocations.ports.count(), 0);
    assert.equal((await store.range('/registry/allocations/')).items.length, 0);
    assert.equal((await store.range(SERVICES_PREFIX)).items.length, 0);
  } finally {
    await store.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
});

test('two apiservers on one store never hand out a value twice', async () => {
  const store = createMemoryStore();
  try {
    // A small range makes collisions between the two stale views certain.
    const cfg = { serviceCIDR: '10.0.0.0/22', nodePortRange: { base: 30000, size: 1000 } };
    const a = await ServiceHarness.open(store, cfg);
    const b = await ServiceHarness.open(store, cfg);
    await fanOut(900, CLIENTS, async (i, c) => {
      await (c % 2 ? a : b).create({ metadata: { name: `t${i}` }, spec: { type: 'NodePort', ports: [{ port: 80 }] } });
    });
    const held = await assertUniqueAndRecorded(store);
    assert.deepEqual(held, { ips: 900, ports: 900 });
    // The stale views did collide, and the store's compares sent the hooks round again.
    assert.ok(a.retries + b.retries > 0, 'some allocation raced and was retried');
    await fanOut(900, CLIENTS, async (i, c) => {
      await (c % 2 ? b : a).delete(`t${i}`);
    });
    assert.deepEqual(await assertUniqueAndRecorded(store), { ips: 0, ports: 0 });
    // Each instance follows the other's releases: both views are empty without a restart.
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(a.strategy.allocations.ips.count() + a.strategy.allocations.ports.count(), 0);
    assert.equal(b.strategy.allocations.ips.count() + b.strategy.allocations.ports.count(), 0);
    const c = await ServiceHarness.open(store, cfg);
    assert.equal(c.strategy.allocations.ips.count() + c.strategy.allocations.ports.count(), 0);
  } finally {
    await store.close();
  }
});
