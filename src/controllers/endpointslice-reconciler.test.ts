// The reconciler's decisions on plain objects: slicing, minimal churn, placeholder handling,
// address types, slice reuse instead of delete+create.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { reconcile, type ReconcileInput } from './endpointslice-reconciler.js';

const svc: Service = {
  metadata: { name: 'web', namespace: 'default', uid: 'svc-uid', labels: { team: 'a' } },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], ipFamilies: ['IPv4'], clusterIP: '10.96.0.5' },
};
const node: Node = { metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'z1' } } };

function pod(i: number, ready = true, extra: Partial<Pod['spec']> = {}): Pod {
  return {
    metadata: { name: `web-${i}`, namespace: 'default', uid: `uid-${i}`, labels: { app: 'web' } },
    spec: { nodeName: 'n1', containers: [{ name: 'c' }], ...extra },
    status: { phase: 'Running', podIP: `10.0.${i >> 8}.${i & 255}`, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

function input(pods: Pod[], existing: EndpointSlice[] = [], max = 100): ReconcileInput {
  return { service: svc, pods, node: (n) => (n === 'n1' ? node : undefined), existing, maxEndpointsPerSlice: max };
}

let seq = 0;
/** Applies a plan the way the API would: names for creates, updated objects replace old ones. */
function apply(existing: EndpointSlice[], plan: ReturnType<typeof reconcile>): EndpointSlice[] {
  const byName = new Map(existing.map((s) => [s.metadata?.name ?? '', s]));
  for (const s of plan.delete) byName.delete(s.metadata?.name ?? '');
  for (const s of plan.update) byName.set(s.metadata?.name ?? '', s);
  for (const s of plan.create) {
    const name = `${s.metadata?.generateName}${seq++}`;
    byName.set(name, { ...s, metadata: { ...s.metadata, name } });
  }
  return [...byName.values()];
}

test('250 pods → 100 + 100 + 50, with labels, owner and conditions', () => {
  const pods = Array.from({ length: 250 }, (_, i) => pod(i));
  const plan = reconcile(input(pods));
  assert.equal(plan.create.length, 3);
  assert.deepEqual(plan.create.map((s) => s.endpoints?.length), [100, 100, 50]);
  const s = plan.create[0] as EndpointSlice;
  assert.deepEqual(s.metadata?.labels, { team: 'a', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
  assert.equal(s.metadata?.generateName, 'web-');
  assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(s.endpoints?.[0], {
    addresses: ['10.0.0.0'],
    conditions: { ready: true, serving: true, terminating: false },
    targetRef: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'uid-0' },
    nodeName: 'n1',
    zone: 'z1',
  });
});

test('a steady state plans nothing; one readiness change updates exactly one slice', () => {
  const pods = Array.from({ length: 250 }, (_, i) => pod(i));
  const slices = apply([], reconcile(input(pods)));
  const again = reconcile(input(pods, slices));
  assert.deepEqual([again.create.length, again.update.length, again.delete.length], [0, 0, 0]);
  pods[7] = pod(7, false);
  const flip = reconcile(input(pods, slices));
  assert.deepEqual([flip.create.length, flip.update.length, flip.delete.length], [0, 1, 0]);
  assert.equal(flip.update[0]?.endpoints?.find((e) => e.targetRef?.name === 'web-7')?.conditions?.ready, false);
});

test('a new pod goes into an existing slice with room instead of a new one', () => {
  const pods = Array.from({ length: 150 }, (_, i) => pod(i));
  const slices = apply([], reconcile(input(pods)));
  pods.push(pod(150));
  const plan = reconcile(input(pods, slices));
  assert.equal(plan.create.length, 0);
  assert.equal(plan.update.length, 1);
  assert.equal(plan.update[0]?.endpoints?.length, 51);
});

test('no pods: one placeholder; the placeholder is kept, then reused for the first endpoints', () => {
  const first = reconcile(input([]));
  assert.equal(first.create.length, 1);
  assert.deepEqual(first.create[0]?.endpoints, []);
  assert.deepEqual(first.create[0]?.ports, []);
  const slices = apply([], first);
  const steady = reconcile(input([], slices));
  assert.deepEqual([steady.create.length, steady.update.length, steady.delete.length], [0, 0, 0]);
  const filled = reconcile(input([pod(1)], slices));
  assert.equal(filled.create.length, 0, 'the placeholder is recycled');
  assert.equal(filled.delete.length, 0);
  assert.equal(filled.update[0]?.metadata?.name, slices[0]?.metadata?.name);
  assert.equal(filled.update[0]?.endpoints?.length, 1);
});

test('pods not ready, terminating, finished, without IP or on an unknown node', () => {
  const terminating = pod(2);
  terminating.metadata = { ...terminating.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' };
  const done: Pod = { ...pod(3), status: { ...pod(3).status, phase: 'Succeeded' } };
  const noIP: Pod = { ...pod(4), status: { conditions: [] } };
  const lost = pod(5, true, { nodeName: 'gone' });
  const plan = reconcile(input([pod(1, false), terminating, done, noIP, lost]));
  const eps = plan.create.flatMap((s) => s.endpoints ?? []);
  assert.deepEqual(
    eps.map((e) => [e.targetRef?.name, e.conditions]),
    [
      ['web-1', { ready: false, serving: false, terminating: false }],
      ['web-2', { ready: false, serving: true, terminating: true }],
    ],
  );
  assert.deepEqual(plan.missingNodes, ['gone']);
});

test('dual-stack: one slice set per address type; slices of a dropped family and of another owner are deleted', () => {
  const ds: Service = { ...svc, spec: { ...svc.spec, ipFamilies: ['IPv4', 'IPv6'] } };
  const p: Pod = { ...pod(1), status: { ...pod(1).status, podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }] } };
  const plan = reconcile({ ...input([p]), service: ds });
  assert.deepEqual(plan.create.map((s) => [s.addressType, s.endpoints?.[0]?.addresses]), [
    ['IPv4', ['10.0.0.1']],
    ['IPv6', ['fd00::1']],
  ]);
  const slices = apply([], plan);
  const stranger = { ...(slices[0] as EndpointSlice), metadata: { ...slices[0]?.metadata, name: 'old', ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'older' }] } };
  const v4only = reconcile(input([p], [...slices, stranger]));
  assert.deepEqual(v4only.delete.map((s) => s.metadata?.name).sort(), ['old', slices[1]?.metadata?.name].sort());
});
