import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { calculateStatus, isComplete, newRSNewReplicas, planOldScaleDown, planProportionalScale, resolveFenceposts, setCondition } from './deployment-util.js';

function d(replicas: number, maxSurge: number | string = '25%', maxUnavailable: number | string = '25%'): Deployment {
  return {
    metadata: { name: 'web', generation: 2 },
    spec: { replicas, selector: {}, template: {}, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } } },
  };
}

function rs(name: string, spec: number, available: number, created: string): ReplicaSet {
  return { metadata: { name, creationTimestamp: created }, spec: { replicas: spec, selector: {} }, status: { replicas: spec, availableReplicas: available } };
}

test('fenceposts: 25% of 10 → surge 3, unavailable 2; both zero → unavailable 1; Recreate → 0/0', () => {
  assert.deepEqual(resolveFenceposts(d(10)), { surge: 3, unavailable: 2 });
  assert.deepEqual(resolveFenceposts(d(3, 0, 0)), { surge: 0, unavailable: 1 });
  assert.deepEqual(resolveFenceposts({ ...d(3), spec: { ...d(3).spec!, strategy: { type: 'Recreate' } } }), { surge: 0, unavailable: 0 });
});

test('the new ReplicaSet grows only up to replicas + maxSurge across all sets', () => {
  const old = rs('old', 4, 4, '2024-01-01T00:00:00Z');
  assert.equal(newRSNewReplicas(d(4, 1, 0), [old], undefined), 1);
  const fresh = rs('new', 1, 0, '2024-01-02T00:00:00Z');
  assert.equal(newRSNewReplicas(d(4, 1, 0), [old, fresh], fresh), 1);
});

test('old sets shrink only while availability stays at replicas - maxUnavailable; unhealthy replicas go first', () => {
  const dep = d(4, 1, 0);
  const old = rs('old', 4, 4, '2024-01-01T00:00:00Z');
  const fresh = rs('new', 1, 0, '2024-01-02T00:00:00Z');
  assert.equal(planOldScaleDown(dep, [old, fresh], [old], fresh).size, 0, 'the new pod is not available yet');
  const ready = rs('new', 1, 1, '2024-01-02T00:00:00Z');
  assert.deepEqual([...planOldScaleDown(dep, [old, ready], [old], ready)], [['old', 3]]);
  const sick = rs('old', 4, 1, '2024-01-01T00:00:00Z');
  // 5 pods, at least 3 must stay available, 1 new one is not: one old replica may go, an unhealthy one.
  assert.deepEqual([...planOldScaleDown(d(4, 1, 1), [sick, fresh], [sick], fresh)], [['old', 3]]);
});

test('proportional scaling shares a scale-up by size, leftovers to the largest newest', () => {
  const a = rs('a', 6, 6, '2024-01-01T00:00:00Z');
  const b = rs('b', 4, 0, '2024-01-02T00:00:00Z');
  const plan = planProportionalScale(d(15, 0, 1), [a, b]);
  assert.equal([...plan.values()].reduce((x, y) => x + y, 0), 15);
  assert.deepEqual(Object.fromEntries(plan), { a: 9, b: 6 });
});

test('status counts and Available; complete only at the observed generation', () => {
  const dep = d(3);
  const now = new Date('2024-01-01T00:00:00Z');
  const s = calculateStatus(dep, [rs('new', 3, 3, '2024-01-01T00:00:00Z')], rs('new', 3, 3, '2024-01-01T00:00:00Z'), now);
  assert.equal(s.availableReplicas, 3);
  assert.equal(s.conditions!.find((c) => c.type === 'Available')!.reason, 'MinimumReplicasAvailable');
  assert.ok(isComplete(dep, s));
  assert.ok(!isComplete({ ...dep, metadata: { generation: 3 } }, s));
  const low = calculateStatus(dep, [rs('new', 3, 1, '2024-01-01T00:00:00Z')], undefined, now);
  assert.deepEqual([low.conditions![0]!.status, low.conditions![0]!.message], ['False', 'Deployment does not have minimum availability.']);
});

test('setCondition keeps lastTransitionTime while the status holds', () => {
  const s = { conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', lastTransitionTime: 'T0', lastUpdateTime: 'T0' }] };
  setCondition(s, { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'm' }, new Date('2024-01-01T00:00:00Z'));
  assert.deepEqual([s.conditions[0]!.lastTransitionTime, s.conditions[0]!.lastUpdateTime], ['T0', '2024-01-01T00:00:00Z']);
});

test('a ReplicaSet failure shows on the Deployment, and goes when the ReplicaSet recovers', () => {
  const broken = rs('new', 3, 0, '2024-01-01T00:00:00Z');
  broken.status!.conditions = [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "x" is forbidden: quota' }];
  const now = new Date('2024-01-01T00:00:00Z');
  const s = calculateStatus(d(3), [broken], broken, now);
  const c = s.conditions!.find((x) => x.type === 'ReplicaFailure')!;
  assert.deepEqual([c.status, c.reason, c.message], ['True', 'FailedCreate', 'pods "x" is forbidden: quota']);
  const healed = calculateStatus({ ...d(3), status: s }, [rs('new', 3, 3, '2024-01-01T00:00:00Z')], undefined, now);
  assert.equal(healed.conditions!.some((x) => x.type === 'ReplicaFailure'), false);
});
