// Garbage collection through owner references: background, foreground and orphan propagation,
// with the Deployment chain and with plain ConfigMaps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { CONFIGMAPS, DEPLOYMENTS, NAMESPACES, PODS, REPLICASETS, isNotFound, type Client } from '../../src/client/index.js';
import { createDeploymentController } from '../../src/controllers/deployment.js';
import { createGarbageCollector } from '../../src/controllers/garbage-collector.js';
import { createReplicaSetController } from '../../src/controllers/replicaset.js';
import { createScheduler } from '../../src/controllers/scheduler.js';
import { registryBinder } from '../../src/controllers/scheduler-binding.js';
import { startWorkloadCluster, until, type ControllerFactory } from './workloads-harness.js';

const ALL: ControllerFactory[] = [
  (c) => createScheduler({ ...c, bind: registryBinder(c.api.registry) }),
  (c) => createReplicaSetController(c),
  (c) => createDeploymentController(c),
  (c) => createGarbageCollector(c),
];
const GC_ONLY: ControllerFactory[] = [(c) => createGarbageCollector(c)];

async function gone(client: Client, get: () => Promise<unknown>): Promise<boolean> {
  void client;
  try {
    await get();
    return false;
  } catch (e) {
    if (isNotFound(e)) return true;
    throw e;
  }
}

async function ownerAndChild(client: Client, block = true): Promise<{ owner: ConfigMap; child: ConfigMap }> {
  const owner = await client.resource(CONFIGMAPS).create('default', { metadata: { name: 'owner' } });
  const child = await client.resource(CONFIGMAPS).create('default', {
    metadata: { name: 'child', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid!, blockOwnerDeletion: block }] },
  });
  return { owner, child };
}

const deploy = {
  metadata: { name: 'web' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  },
};

test('deleting a Deployment (background) removes its ReplicaSet and pods', async (t) => {
  const c = await startWorkloadCluster(ALL);
  t.after(() => c.close());
  await c.client.resource(DEPLOYMENTS).create('default', deploy);
  await until(async () => (await c.client.resource(DEPLOYMENTS).get('default', 'web')).status?.availableReplicas === 2, 15_000);
  await c.client.resource(DEPLOYMENTS).delete('default', 'web', { propagationPolicy: 'Background' });
  await until(async () => (await c.client.resource(REPLICASETS).listAll({ namespace: 'default' })).items.length === 0, 15_000, () => 'replica sets remain');
  await until(async () => (await c.client.resource(PODS).listAll({ namespace: 'default' })).items.length === 0, 15_000, () => 'pods remain');
});

test('foreground: the Deployment stays (foregroundDeletion) until its ReplicaSet and pods are gone', async (t) => {
  const c = await startWorkloadCluster(ALL);
  t.after(() => c.close());
  await c.client.resource(DEPLOYMENTS).create('default', deploy);
  await until(async () => (await c.client.resource(DEPLOYMENTS).get('default', 'web')).status?.availableReplicas === 2, 15_000);
  const order: string[] = [];
  const watches = await Promise.all(
    [DEPLOYMENTS.info, REPLICASETS.info, PODS.info].map((info) =>
      c.client.resource(info).watch({ namespace: 'default' }, {
        onEvent: (ev) => {
          if (ev.type === 'DELETED') order.push(String(ev.object.kind ?? '?'));
        },
        onEnd: () => {},
      }),
    ),
  );
  t.after(() => watches.forEach((w) => w.stop()));
  const r = await c.client.resource(DEPLOYMENTS).delete('default', 'web', { propagationPolicy: 'Foreground' });
  assert.ok(r.metadata?.finalizers?.includes('foregroundDeletion'));
  await until(() => order.includes('Deployment'), 15_000, () => order.join(','));
  // Every pod and the ReplicaSet went before the Deployment.
  assert.deepEqual(order.at(-1), 'Deployment', order.join(','));
  assert.equal(order.filter((k) => k === 'Pod').length, 2, order.join(','));
  assert.ok(order.indexOf('ReplicaSet') < order.indexOf('Deployment'));
});

test('orphan: the ReplicaSet and pods stay, without the owner reference', async (t) => {
  const c = await startWorkloadCluster(ALL);
  t.after(() => c.close());
  await c.client.resource(DEPLOYMENTS).create('default', deploy);
  await until(async () => (await c.client.resource(DEPLOYMENTS).get('default', 'web')).status?.availableReplicas === 2, 15_000);
  await c.client.resource(DEPLOYMENTS).delete('default', 'web', { propagationPolicy: 'Orphan' });
  await until(() => gone(c.client, () => c.client.resource(DEPLOYMENTS).get('default', 'web')), 15_000, () => 'deployment remains');
  const [rs, ...more] = (await c.client.resource(REPLICASETS).listAll({ namespace: 'default' })).items;
  assert.equal(more.length, 0);
  assert.deepEqual(rs!.metadata!.ownerReferences ?? [], []);
  // The ReplicaSet keeps running its pods.
  assert.equal((await c.client.resource(PODS).listAll({ namespace: 'default' })).items.length, 2);
});

test('plain objects: background deletes a child; an owner that never existed makes a child dangling', async (t) => {
  const c = await startWorkloadCluster(GC_ONLY);
  t.after(() => c.close());
  await ownerAndChild(c.client);
  await c.client.resource(CONFIGMAPS).delete('default', 'owner');
  await until(() => gone(c.client, () => c.client.resource(CONFIGMAPS).get('default', 'child')), 10_000, () => 'child remains');
  await c.client.resource(CONFIGMAPS).create('default', {
    metadata: { name: 'stray', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'nobody', uid: '00000000-0000-0000-0000-000000000000' }] },
  });
  await until(() => gone(c.client, () => c.client.resource(CONFIGMAPS).get('default', 'stray')), 10_000, () => 'stray remains');
});

test('a child with a second, live owner only loses the dead owner reference', async (t) => {
  const c = await startWorkloadCluster(GC_ONLY);
  t.after(() => c.close());
  const { owner } = await ownerAndChild(c.client);
  const other = await c.client.resource(CONFIGMAPS).create('default', { metadata: { name: 'other' } });
  const child = await c.client.resource(CONFIGMAPS).get('default', 'child');
  await c.client.resource(CONFIGMAPS).update('default', {
    ...child,
    metadata: { ...child.metadata, ownerReferences: [...child.metadata!.ownerReferences!, { apiVersion: 'v1', kind: 'ConfigMap', name: 'other', uid: other.metadata!.uid! }] },
  });
  await c.client.resource(CONFIGMAPS).delete('default', 'owner');
  await until(async () => (await c.client.resource(CONFIGMAPS).get('default', 'child')).metadata?.ownerReferences?.length === 1, 10_000);
  const refs = (await c.client.resource(CONFIGMAPS).get('default', 'child')).metadata!.ownerReferences!;
  assert.equal(refs[0]!.uid, other.metadata!.uid);
  assert.notEqual(refs[0]!.uid, owner.metadata!.uid);
});

test('deleting a namespace with a running Deployment empties it and the namespace goes', async (t) => {
  const c = await startWorkloadCluster(ALL);
  t.after(() => c.close());
  await c.client.resource(NAMESPACES).create(undefined, { metadata: { name: 'shop' } });
  await c.client.resource(DEPLOYMENTS).create('shop', { ...deploy, metadata: { name: 'web', namespace: 'shop' } });
  await until(async () => (await c.client.resource(DEPLOYMENTS).get('shop', 'web')).status?.availableReplicas === 2, 15_000);
  await c.client.resource(NAMESPACES).delete(undefined, 'shop', { propagationPolicy: 'Background' });
  await until(() => gone(c.client, () => c.client.resource(NAMESPACES).get(undefined, 'shop')), 30_000, async () => {
    const pods = (await c.client.resource(PODS).listAll({ namespace: 'shop' })).items.map((p) => `${p.metadata?.name}:${p.metadata?.deletionTimestamp ?? ''}`);
    return `namespace remains; pods ${pods.join(',')}`;
  });
});
