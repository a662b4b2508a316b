import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApiServer } from '../apiserver/index.js';
import { createClient, FakeClock, inProcessTransport, LEASES, NODES } from '../client/index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../registry/types.js';
import { createMemoryStore } from '../store/memory/memory-store.js';
import { silentLogger } from '../util/log.js';
import { checkHost } from './host-check.js';
import type { NodeFacts } from './node-facts.js';
import { pickPodCIDR } from './pod-cidr.js';
import { createNodeRegistration, nodeConditions } from './registration.js';

const facts: NodeFacts = {
  hostname: 'h',
  cpus: 2,
  memoryBytes: 4 * 1024 ** 3,
  ephemeralStorageBytes: 10 * 1024 ** 3,
  machineID: 'm',
  systemUUID: 'u',
  bootID: 'b',
  kernelVersion: '6.1.0',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  architecture: 'amd64',
  operatingSystem: 'linux',
};

async function cluster() {
  const store = createMemoryStore();
  const api = createApiServer({ store, logger: silentLogger, registryConfig: DEFAULT_REGISTRY_CONFIG });
  await api.ready;
  const client = createClient(inProcessTransport(api.registry));
  return {
    client,
    async close() {
      client.close();
      await api.close();
      await store.close();
    },
  };
}

test('pickPodCIDR takes the first free /24 of the cluster CIDR', () => {
  assert.equal(pickPodCIDR('10.244.0.0/16', []), '10.244.0.0/24');
  assert.equal(pickPodCIDR('10.244.0.0/16', ['10.244.0.0/24', '10.244.2.0/24']), '10.244.1.0/24');
  assert.throws(() => pickPodCIDR('10.244.0.0/24', ['10.244.0.0/24']), /no free \/24/);
});

test('checkHost names what is missing and how to install it', () => {
  assert.deepEqual(checkHost({ platform: 'linux', uid: 0, path: '' }, () => '/x'), { ready: true, problems: [] });
  const r = checkHost({ platform: 'linux', uid: 1000, path: '' }, (t) => (t === 'nft' ? undefined : '/x'));
  assert.equal(r.ready, false);
  assert.match(r.problems[0], /need root/);
  assert.match(r.problems[1], /missing nft .*apt-get install nftables/);
  assert.match(checkHost({ platform: 'darwin', uid: 0, path: '' }).problems[0], /Linux network namespaces; this host runs darwin/);
});

test('nodeConditions keeps the transition time while the status holds', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const first = nodeConditions({ ready: true, problems: [] }, t0);
  const later = nodeConditions({ ready: true, problems: [] }, new Date('2026-01-01T00:01:00Z'), first);
  const ready = later.find((c) => c.type === 'Ready')!;
  assert.equal(ready.lastTransitionTime, '2026-01-01T00:00:00Z');
  assert.equal(ready.lastHeartbeatTime, '2026-01-01T00:01:00Z');
  const down = nodeConditions({ ready: false, problems: ['no root'] }, new Date('2026-01-01T00:02:00Z'), later).find((c) => c.type === 'Ready')!;
  assert.deepEqual([down.status, down.reason, down.message, down.lastTransitionTime], ['False', 'KubeletNotReady', 'no root', '2026-01-01T00:02:00Z']);
});

test('registers a Ready node with a pod CIDR, heartbeats its lease and reports NotReady', async (t) => {
  const c = await cluster();
  t.after(() => c.close());
  await c.client.resource(NODES).create(undefined, { metadata: { name: 'other' }, spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] } });
  const clock = new FakeClock();
  let wall = new Date('2026-01-01T00:00:00Z');
  let readiness = { ready: true, problems: [] as string[] };
  const reg = createNodeRegistration({
    client: c.client,
    logger: silentLogger,
    nodeName: 'node-a',
    internalIP: '10.0.0.2',
    facts,
    readiness: () => readiness,
    clock,
    now: () => wall,
    kubeletPort: 10250,
  });
  t.after(() => reg.stop());
  await reg.start();
  await reg.ready;
  assert.equal(reg.podCIDR(), '10.244.1.0/24');
  const node = await c.client.resource(NODES).get(undefined, 'node-a');
  assert.equal(node.metadata?.labels?.['kubernetes.io/hostname'], 'node-a');
  assert.equal(node.metadata?.labels?.['node-role.kubernetes.io/control-plane'], '');
  assert.deepEqual(node.spec?.podCIDRs, ['10.244.1.0/24']);
  assert.deepEqual(node.status?.addresses?.[0], { type: 'InternalIP', address: '10.0.0.2' });
  assert.equal(node.status?.capacity?.memory, `${4 * 1024 * 1024}Ki`);
  assert.equal(node.status?.daemonEndpoints?.kubeletEndpoint?.Port, 10250);
  assert.equal(node.status?.conditions?.find((x) => x.type === 'Ready')?.status, 'True');

  const lease1 = await c.client.resource(LEASES).get('kube-node-lease', 'node-a');
  assert.equal(lease1.spec?.holderIdentity, 'node-a');
  assert.equal(lease1.spec?.renewTime, '2026-01-01T00:00:00.000000Z');
  assert.equal(lease1.metadata?.ownerReferences?.[0]?.uid, node.metadata?.uid);

  wall = new Date('2026-01-01T00:00:10Z');
  readiness = { ready: false, problems: ['pods need root'] };
  clock.advance(10_000);
  const until = async (f: () => Promise<boolean>) => {
    for (let i = 0; i < 200 && !(await f()); i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(await f());
  };
  await until(async () => (await c.client.resource(LEASES).get('kube-node-lease', 'node-a')).spec?.renewTime === '2026-01-01T00:00:10.000000Z');
  await until(async () => (await c.client.resource(NODES).get(undefined, 'node-a')).status?.conditions?.find((x) => x.type === 'Ready')?.message === 'pods need root');

  // A restarted agent adopts its Node and keeps the pod CIDR.
  reg.stop();
  const again = createNodeRegistration({ client: c.client, logger: silentLogger, nodeName: 'node-a', internalIP: '10.0.0.2', facts, readiness: () => readiness, clock, now: () => wall });
  t.after(() => again.stop());
  await again.start();
  assert.equal(again.podCIDR(), '10.244.1.0/24');
});
