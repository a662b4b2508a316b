// Deployments → ReplicaSets → Pods → scheduled, in process against a real API server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { DEPLOYMENTS, EVENTS, NODES, PODS, REPLICASETS, type Client } from '../../src/client/index.js';
import { createDeploymentController } from '../../src/controllers/deployment.js';
import { createReplicaSetController } from '../../src/controllers/replicaset.js';
import { createScheduler } from '../../src/controllers/scheduler.js';
import { registryBinder } from '../../src/controllers/scheduler-binding.js';
import { startControllers } from '../../src/controllers/index.js';
import { silentLogger } from '../../src/util/log.js';
import { markReady, readyNode, startWorkloadCluster, until, type ControllerFactory } from './workloads-harness.js';

const CONTROLLERS: ControllerFactory[] = [
  (c) => createScheduler({ ...c, bind: registryBinder(c.api.registry) }),
  (c) => createReplicaSetController(c),
  (c) => createDeploymentController(c),
];

function deployment(name: string, replicas: number, image = 'nginx', extra: Partial<Deployment['spec']> = {}): Deployment {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'nginx', image }] } },
      ...extra,
    },
  };
}

const livePods = async (client: Client, app: string): Promise<Pod[]> =>
  (await client.resource(PODS).listAll({ namespace: 'default', labelSelector: `app=${app}` })).items.filter((p) => !p.metadata?.deletionTimestamp);
const sets = async (client: Client, app: string): Promise<ReplicaSet[]> => (await client.resource(REPLICASETS).listAll({ namespace: 'default', labelSelector: `app=${app}` })).items;
const summary = async (client: Client, app: string) =>
  JSON.stringify({
    pods: (await livePods(client, app)).map((p) => [p.metadata?.name, p.spec?.nodeName, p.spec?.containers[0]?.image, p.status?.phase]),
    sets: (await sets(client, app)).map((r) => [r.metadata?.name, r.spec?.replicas, r.status]),
    deploy: (await client.resource(DEPLOYMENTS).get('default', app)).status,
  });

test('a Deployment of 3 creates a ReplicaSet <name>-<hash> and 3 pods bound to the node; status counts them', async (t) => {
  const c = await startWorkloadCluster(CONTROLLERS);
  t.after(() => c.close());
  await c.client.resource(DEPLOYMENTS).create('default', deployment('web', 3));
  await until(async () => (await c.client.resource(DEPLOYMENTS).get('default', 'web')).status?.availableReplicas === 3, 15_000, () => summary(c.client, 'web'));

  const [rs, ...more] = await sets(c.client, 'web');
  assert.equal(more.length, 0);
  const hash = rs!.metadata!.labels!['pod-template-hash']!;
  assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.equal(rs!.metadata!.name, `web-${hash}`);
  assert.equal(rs!.metadata!.annotations!['deployment.kubernetes.io/revision'], '1');
  assert.deepEqual(rs!.spec!.selector.matchLabels, { app: 'web', 'pod-template-hash': hash });
  const owner = rs!.metadata!.ownerReferences![0]!;
  assert.equal(owner.kind, 'Deployment');
  assert.equal(owner.controller, true);

  const pods = await livePods(c.client, 'web');
  assert.equal(pods.length, 3);
  for (const p of pods) {
    assert.match(p.metadata!.name!, new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
    assert.equal(p.spec!.nodeName, 'node-1');
    assert.equal(p.metadata!.ownerReferences![0]!.name, rs!.metadata!.name);
    assert.equal(p.metadata!.labels!['pod-template-hash'], hash);
  }
  const d = await c.client.resource(DEPLOYMENTS).get('default', 'web');
  assert.equal(d.metadata!.annotations!['deployment.kubernetes.io/revision'], '1');
  assert.equal(d.status!.replicas, 3);
  assert.equal(d.status!.updatedReplicas, 3);
  assert.equal(d.status!.readyReplicas, 3);
  assert.equal(d.status!.observedGeneration, d.metadata!.generation);
  const cond = (type: string) => d.status!.conditions!.find((x) => x.type === type);
  assert.deepEqual([cond('Available')!.status, cond('Available')!.reason, cond('Available')!.message], ['True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.']);
  await until(async () => (await c.client.resource(DEPLOYMENTS).get('default', 'web')).status?.conditions?.some((x) => x.reason === 'NewReplicaSetAvailable') ?? false);
  const progressing = (await c.client.resource(DEPLOYMENTS).get('default', 'web')).status!.conditions!.find((x) => x.type === 'Progressing')!;
  assert.equal(progressing.message, `ReplicaSet "web-${hash}" has successfully progressed.`);
});

test('scaling up and down changes the one ReplicaSet; scale-down removes unready pods first', async (t) => {
  const c = await startWorkloadCluster(CONTROLLERS);
  t.after(() => c.close());
  await c.client.resource(DEPLOYMENTS).create('default', deployment('web', 2));
  await until(async () => (await c.client.resource(DEPLOYMENTS).get('default', 'web')).status?.availableReplicas === 2, 15_000, () => summary(c.client, 'web'));
  const readyNames = new Set((await livePods(c.client, 'web')).map((p) => p.metadata!.name));
  c.autoReady = false;
  await c.client.resource(DEPLOYMENTS).patch('default', 'web', 'application/merge-patch+json', { spec: { replicas: 5 } });
  await until(async () => (await livePods(c.client, 'web')).length === 5, 15_000, () => summary(c.client, 'web'));
  assert.equal((await sets(c.client, 'web')).length, 1);
  await until(async () => (await c.client.resource(DEPLOYMENTS).get('default', 'web')).status?.replicas === 5, 15_000, () => summary(c.client, 'web'));
  await c.client.resource(DEPLOYMENTS).patch('default', 'web', 'application/merge-patch+json', { spec: { replicas: 2 } });
  await until(async () => (await livePods(c.client, 'web')).length === 2, 15_000, () => summary(c.client, 'web'));
  // The three new pods never became ready: they go first.
  assert.deepEqual(new Set((await livePods(c.client, 'web')).map((p) => p.metadata!.name)), readyNames);
  const [rs] = await sets(c.client, 'web');
  assert.equal(rs!.spec!.replicas, 2);
  assert.equal(rs!.metadata!.annotations!['deployment.kubernetes.io/desired-replicas'], '2');
});

test('a template change rolls within maxSurge/maxUnavailable to a second ReplicaSet (revision 2); the old one ends at 0', async (t) => {
  const c = await startWorkloadCluster(CONTROLLERS, { autoReady: false });
  t.after(() => c.close());
  const api = c.client.resource(DEPLOYMENTS);
  await api.create('default', deployment('web', 4, 'nginx:1', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
  await until(async () => (await livePods(c.client, 'web')).length === 4, 15_000, () => summary(c.client, 'web'));
  for (const p of await livePods(c.client, 'web')) await markReady(c.client, p);
  await until(async () => (await api.get('default', 'web')).status?.availableReplicas === 4, 15_000, () => summary(c.client, 'web'));

  await api.patch('default', 'web', 'application/strategic-merge-patch+json', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:2' }] } } } });
  await until(async () => (await sets(c.client, 'web')).length === 2, 15_000, () => summary(c.client, 'web'));
  // Pods are made ready one at a time; at no point more than 5 pods (4 + surge 1) or fewer than 4 ready.
  let maxSeen = 0;
  for (let round = 0; round < 40; round++) {
    const pods = await livePods(c.client, 'web');
    maxSeen = Math.max(maxSeen, pods.length);
    const rsNow = await sets(c.client, 'web');
    const total = rsNow.reduce((n, r) => n + (r.spec?.replicas ?? 0), 0);
    assert.ok(total <= 5, `replicas across sets ${total} > 5`);
    const unready = pods.filter((p) => p.status?.phase !== 'Running');
    if (!unready.length) {
      const d = await api.get('default', 'web');
      if (d.status?.updatedReplicas === 4 && d.status.replicas === 4 && d.status.availableReplicas === 4) break;
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    assert.ok(pods.length - unready.length >= 4 || round === 0, 'availability fell below 4');
    for (const p of unready) await markReady(c.client, p);
  }
  const d = await api.get('default', 'web');
  assert.equal(d.status?.updatedReplicas, 4, await summary(c.client, 'web'));
  assert.equal(d.metadata!.annotations!['deployment.kubernetes.io/revision'], '2');
  const all = await sets(c.client, 'web');
  assert.equal(all.length, 2);
  const [oldRS, newRS] = [...all].sort((a, b) => Number(a.metadata!.annotations!['deployment.kubernetes.io/revision']) - Number(b.metadata!.annotations!['deployment.kubernetes.io/revision']));
  assert.equal(oldRS!.spec!.replicas, 0);
  assert.equal(newRS!.spec!.replicas, 4);
  for (const p of await livePods(c.client, 'web')) assert.equal(p.spec!.containers[0]!.image, 'nginx:2');
  assert.ok(maxSeen <= 5);
});

test('Recreate scales the old ReplicaSet to 0 and waits for its pods before creating new ones', async (t) => {
  const c = await startWorkloadCluster(CONTROLLERS);
  t.after(() => c.close());
  const api = c.client.resource(DEPLOYMENTS);
  await api.create('default', deployment('db', 2, 'pg:1', { strategy: { type: 'Recreate' } }));
  await until(async () => (await api.get('default', 'db')).status?.availableReplicas === 2, 15_000, () => summary(c.client, 'db'));
  const seen: string[] = [];
  const w = await c.client.resource(PODS).watch({ namespace: 'default' }, {
    onEvent: (ev) => {
      if (ev.type === 'ADDED' || ev.type === 'DELETED') seen.push(`${ev.type} ${ev.object.spec?.containers[0]?.image}`);
    },
    onEnd: () => {},
  });
  t.after(() => w.stop());
  seen.length = 0;
  await api.patch('default', 'db', 'application/strategic-merge-patch+json', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'pg:2' }] } } } });
  await until(async () => (await api.get('default', 'db')).status?.availableReplicas === 2 && (await livePods(c.client, 'db')).filter((p) => p.spec?.containers[0]?.image === 'pg:2').length === 2, 15_000, () => summary(c.client, 'db'));
  const firstNew = seen.findIndex((s) => s === 'ADDED pg:2');
  const lastOldGone = seen.lastIndexOf('DELETED pg:1');
  assert.ok(lastOldGone >= 0 && firstNew > lastOldGone, seen.join(', '));
});

test('no Ready node: pods stay Pending with PodScheduled=False Unschedulable and Kubernetes\' message', async (t) => {
  const c = await startWorkloadCluster(CONTROLLERS, { nodes: [] });
  t.after(() => c.close());
  await c.client.resource(PODS).create('default', { metadata: { name: 'lonely' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  await until(async () => (await c.client.resource(PODS).get('default', 'lonely')).status?.conditions?.some((x) => x.type === 'PodScheduled') ?? false);
  const cond = (await c.client.resource(PODS).get('default', 'lonely')).status!.conditions!.find((x) => x.type === 'PodScheduled')!;
  assert.deepEqual([cond.status, cond.reason, cond.message], ['False', 'Unschedulable', 'no nodes available to schedule pods']);
  assert.equal((await c.client.resource(PODS).get('default', 'lonely')).spec!.nodeName, undefined);
});

test('through the controller manager: a Deployment gets pods bound to the node (scheduler with bindPod)', async (t) => {
  const c = await startWorkloadCluster([]);
  t.after(() => c.close());
  const running = startControllers({ client: c.client, logger: silentLogger, bindPod: registryBinder(c.api.registry) });
  t.after(() => running.stop());
  await running.ready;
  for (const n of ['replicaset-controller', 'deployment-controller', 'statefulset-controller', 'garbage-collector-controller', 'scheduler']) assert.ok(running.names.includes(n), n);
  await c.client.resource(DEPLOYMENTS).create('default', deployment('api', 2));
  await until(async () => (await livePods(c.client, 'api')).filter((p) => p.spec?.nodeName === 'node-1').length === 2, 15_000, () => summary(c.client, 'api'));
});

test('pods that never become ready: Progressing turns False with ProgressDeadlineExceeded after the deadline', async (t) => {
  const c = await startWorkloadCluster(CONTROLLERS, { autoReady: false });
  t.after(() => c.close());
  await c.client.resource(DEPLOYMENTS).create('default', deployment('slow', 1, 'nginx', { progressDeadlineSeconds: 1 }));
  await until(
    async () => (await c.client.resource(DEPLOYMENTS).get('default', 'slow')).status?.conditions?.some((x) => x.reason === 'ProgressDeadlineExceeded') ?? false,
    15_000,
    () => summary(c.client, 'slow'),
  );
  const d = await c.client.resource(DEPLOYMENTS).get('default', 'slow');
  const p = d.status!.conditions!.find((x) => x.type === 'Progressing')!;
  const rs = (await sets(c.client, 'slow'))[0]!;
  assert.deepEqual([p.status, p.message], ['False', `ReplicaSet "${rs.metadata!.name}" has timed out progressing.`]);
  assert.equal(d.status!.conditions!.find((x) => x.type === 'Available')!.status, 'False');
});

test('a paused Deployment does not roll a template change until resumed', async (t) => {
  const c = await startWorkloadCluster(CONTROLLERS);
  t.after(() => c.close());
  const api = c.client.resource(DEPLOYMENTS);
  await api.create('default', deployment('web', 2));
  await until(async () => (await api.get('default', 'web')).status?.availableReplicas === 2, 15_000, () => summary(c.client, 'web'));
  await api.patch('default', 'web', 'application/merge-patch+json', { spec: { paused: true } });
  await until(async () => (await api.get('default', 'web')).status?.conditions?.some((x) => x.reason === 'DeploymentPaused') ?? false, 10_000, () => summary(c.client, 'web'));
  await api.patch('default', 'web', 'application/strategic-merge-patch+json', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:2' }] } } } });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await sets(c.client, 'web')).length, 1, 'no new ReplicaSet while paused');
  await api.patch('default', 'web', 'application/merge-patch+json', { spec: { paused: false } });
  await until(async () => {
    const pods = await livePods(c.client, 'web');
    return pods.length === 2 && pods.every((p) => p.spec?.containers[0]?.image === 'nginx:2') && (await api.get('default', 'web')).status?.conditions?.some((x) => x.reason === 'NewReplicaSetAvailable') === true;
  }, 15_000, () => summary(c.client, 'web'));
});

test('through the manager with no node: a FailedScheduling Warning event from default-scheduler', async (t) => {
  const c = await startWorkloadCluster([], { nodes: [] });
  t.after(() => c.close());
  const running = startControllers({ client: c.client, logger: silentLogger, bindPod: registryBinder(c.api.registry) });
  t.after(() => running.stop());
  await running.ready;
  await c.client.resource(PODS).create('default', { metadata: { name: 'lonely' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  await until(async () => (await c.client.resource(EVENTS).listAll({ namespace: 'default' })).items.some((e) => e.reason === 'FailedScheduling'), 15_000);
  const ev = (await c.client.resource(EVENTS).listAll({ namespace: 'default' })).items.find((e) => e.reason === 'FailedScheduling')!;
  assert.deepEqual([ev.type, ev.message, ev.source?.component, ev.involvedObject.name], ['Warning', 'no nodes available to schedule pods', 'default-scheduler', 'lonely']);
});

test('a pending pod is bound as soon as a Ready node appears (node events retry at once)', async (t) => {
  const c = await startWorkloadCluster(CONTROLLERS, { nodes: [] });
  t.after(() => c.close());
  await c.client.resource(PODS).create('default', { metadata: { name: 'waiting' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  await until(async () => (await c.client.resource(PODS).get('default', 'waiting')).status?.conditions?.some((x) => x.reason === 'Unschedulable') ?? false);
  const node = await c.client.resource(NODES).create(undefined, { metadata: { name: 'late' } });
  await until(async () => (await c.client.resource(PODS).get('default', 'waiting')).status?.conditions?.some((x) => x.message?.startsWith('0/1 nodes are available')) ?? false);
  const msg = (await c.client.resource(PODS).get('default', 'waiting')).status!.conditions!.find((x) => x.type === 'PodScheduled')!.message;
  assert.equal(msg, '0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');
  await c.client.resource(NODES).updateStatus(undefined, { ...node, status: readyNode('late').status });
  await until(async () => (await c.client.resource(PODS).get('default', 'waiting')).spec?.nodeName === 'late', 5_000);
});

test('minReadySeconds: ready pods count as available only after that long', async (t) => {
  const c = await startWorkloadCluster(CONTROLLERS);
  t.after(() => c.close());
  const api = c.client.resource(DEPLOYMENTS);
  await api.create('default', deployment('web', 2, 'nginx', { minReadySeconds: 4 }));
  await until(async () => (await api.get('default', 'web')).status?.readyReplicas === 2, 15_000, () => summary(c.client, 'web'));
  const early = (await api.get('default', 'web')).status!;
  assert.equal(early.availableReplicas ?? 0, 0, JSON.stringify(early));
  await until(async () => (await api.get('default', 'web')).status?.availableReplicas === 2, 10_000, () => summary(c.client, 'web'));
});
