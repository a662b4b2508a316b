// StatefulSets in process against a real API server: ordinal names, ordering, identity labels,
// scale-down from the highest ordinal, Parallel, rolling update.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ENDPOINTS, PODS, SERVICES, STATEFULSETS, type Client } from '../../src/client/index.js';
import { startControllers } from '../../src/controllers/index.js';
import { silentLogger } from '../../src/util/log.js';
import { createScheduler } from '../../src/controllers/scheduler.js';
import { registryBinder } from '../../src/controllers/scheduler-binding.js';
import { createStatefulSetController } from '../../src/controllers/statefulset.js';
import { markReady, startWorkloadCluster, until, type ControllerFactory } from './workloads-harness.js';

const CONTROLLERS: ControllerFactory[] = [(c) => createScheduler({ ...c, bind: registryBinder(c.api.registry) }), (c) => createStatefulSetController(c)];

function sts(replicas: number, extra: Partial<StatefulSet['spec']> = {}): StatefulSet {
  return {
    metadata: { name: 'web' },
    spec: {
      replicas,
      serviceName: 'nginx',
      selector: { matchLabels: { app: 'nginx' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1' }] } },
      ...extra,
    },
  };
}

const live = async (client: Client): Promise<Pod[]> =>
  (await client.resource(PODS).listAll({ namespace: 'default' })).items.filter((p) => !p.metadata?.deletionTimestamp).sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
const names = async (client: Client) => (await live(client)).map((p) => p.metadata!.name).join(',');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('OrderedReady: web-1 only after web-0 is Running and Ready; identity from the set', async (t) => {
  const c = await startWorkloadCluster(CONTROLLERS, { autoReady: false });
  t.after(() => c.close());
  await c.client.resource(STATEFULSETS).create('default', sts(3));
  await until(async () => (await names(c.client)) === 'web-0', 10_000, () => names(c.client));
  await sleep(300);
  assert.equal(await names(c.client), 'web-0', 'web-1 must wait for web-0');
  const p0 = (await live(c.client))[0]!;
  assert.equal(p0.spec!.hostname, 'web-0');
  assert.equal(p0.spec!.subdomain, 'nginx');
  assert.equal(p0.metadata!.labels!['statefulset.kubernetes.io/pod-name'], 'web-0');
  assert.equal(p0.metadata!.labels!['apps.kubernetes.io/pod-index'], '0');
  assert.match(p0.metadata!.labels!['controller-revision-hash']!, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(p0.metadata!.ownerReferences![0]!.kind, 'StatefulSet');
  await until(async () => Boolean((await c.client.resource(PODS).get('default', 'web-0')).spec?.nodeName), 10_000);
  await markReady(c.client, await c.client.resource(PODS).get('default', 'web-0'));
  await until(async () => (await names(c.client)) === 'web-0,web-1', 10_000, () => names(c.client));
  await sleep(200);
  assert.equal(await names(c.client), 'web-0,web-1', 'web-2 must wait for web-1');
  await markReady(c.client, await c.client.resource(PODS).get('default', 'web-1'));
  await until(async () => (await names(c.client)) === 'web-0,web-1,web-2', 10_000, () => names(c.client));
  await markReady(c.client, await c.client.resource(PODS).get('default', 'web-2'));
  await until(async () => (await c.client.resource(STATEFULSETS).get('default', 'web')).status?.readyReplicas === 3, 10_000, async () => JSON.stringify((await c.client.resource(STATEFULSETS).get('default', 'web')).status) + JSON.stringify((await live(c.client)).map((p) => [p.metadata?.name, p.spec?.nodeName, p.status])));
  const st = (await c.client.resource(STATEFULSETS).get('default', 'web')).status!;
  assert.equal(st.replicas, 3);
  assert.equal(st.currentRevision, st.updateRevision);
  assert.equal(st.currentRevision, p0.metadata!.labels!['controller-revision-hash']);
});

test('scale down removes the highest ordinal first, one at a time', async (t) => {
  const c = await startWorkloadCluster(CONTROLLERS);
  t.after(() => c.close());
  await c.client.resource(STATEFULSETS).create('default', sts(3));
  await until(async () => (await c.client.resource(STATEFULSETS).get('default', 'web')).status?.readyReplicas === 3, 15_000, () => names(c.client));
  const deleted: string[] = [];
  const w = await c.client.resource(PODS).watch({ namespace: 'default' }, { onEvent: (ev) => ev.type === 'DELETED' && deleted.push(ev.object.metadata!.name!), onEnd: () => {} });
  t.after(() => w.stop());
  await c.client.resource(STATEFULSETS).patch('default', 'web', 'application/merge-patch+json', { spec: { replicas: 1 } });
  await until(async () => (await names(c.client)) === 'web-0' && deleted.length === 2, 15_000, () => names(c.client));
  assert.deepEqual(deleted, ['web-2', 'web-1']);
});

test('Parallel creates every pod at once, ready or not', async (t) => {
  const c = await startWorkloadCluster(CONTROLLERS, { autoReady: false });
  t.after(() => c.close());
  await c.client.resource(STATEFULSETS).create('default', sts(3, { podManagementPolicy: 'Parallel' }));
  await until(async () => (await names(c.client)) === 'web-0,web-1,web-2', 10_000, () => names(c.client));
});

test('a template change replaces pods from the highest ordinal down; the revisions converge', async (t) => {
  const c = await startWorkloadCluster(CONTROLLERS);
  t.after(() => c.close());
  await c.client.resource(STATEFULSETS).create('default', sts(3));
  await until(async () => (await c.client.resource(STATEFULSETS).get('default', 'web')).status?.readyReplicas === 3, 15_000, () => names(c.client));
  const before = (await c.client.resource(STATEFULSETS).get('default', 'web')).status!.currentRevision;
  const deleted: string[] = [];
  const w = await c.client.resource(PODS).watch({ namespace: 'default' }, { onEvent: (ev) => ev.type === 'DELETED' && deleted.push(ev.object.metadata!.name!), onEnd: () => {} });
  t.after(() => w.stop());
  await c.client.resource(STATEFULSETS).patch('default', 'web', 'application/strategic-merge-patch+json', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:2' }] } } } });
  await until(
    async () => {
      const s = (await c.client.resource(STATEFULSETS).get('default', 'web')).status;
      return s?.updatedReplicas === 3 && s.readyReplicas === 3 && s.currentRevision === s.updateRevision && s.currentRevision !== before;
    },
    20_000,
    async () => JSON.stringify((await c.client.resource(STATEFULSETS).get('default', 'web')).status),
  );
  assert.deepEqual(deleted, ['web-2', 'web-1', 'web-0']);
  for (const p of await live(c.client)) assert.equal(p.spec!.containers[0]!.image, 'nginx:2');
});

test('with a headless Service named by serviceName, Endpoints carry each pod\'s stable hostname', async (t) => {
  const c = await startWorkloadCluster([]);
  t.after(() => c.close());
  const running = startControllers({ client: c.client, logger: silentLogger, bindPod: registryBinder(c.api.registry) });
  t.after(() => running.stop());
  await running.ready;
  await c.client.resource(SERVICES).create('default', { metadata: { name: 'nginx' }, spec: { clusterIP: 'None', selector: { app: 'nginx' }, ports: [{ port: 80 }] } });
  await c.client.resource(STATEFULSETS).create('default', sts(2));
  await until(
    async () => {
      const ep = await c.client.resource(ENDPOINTS).get('default', 'nginx').catch(() => undefined);
      return (ep?.subsets?.[0]?.addresses ?? []).length === 2;
    },
    20_000,
    async () => JSON.stringify(await c.client.resource(ENDPOINTS).get('default', 'nginx').catch((e: Error) => e.message)),
  );
  const ep = await c.client.resource(ENDPOINTS).get('default', 'nginx');
  const hosts = ep.subsets![0]!.addresses!.map((a) => a.hostname).sort();
  assert.deepEqual(hosts, ['web-0', 'web-1']);
});
