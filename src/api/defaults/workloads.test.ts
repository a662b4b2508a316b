import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import { setDeploymentDefaults, setReplicaSetDefaults, setStatefulSetDefaults } from './workloads.js';
import { setNamespaceDefaults, setNodeDefaults } from './cluster.js';

const template = () => ({ metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });

test('deployment defaults as apps/v1', () => {
  const d: Deployment = { spec: { selector: { matchLabels: { app: 'a' } }, template: template() } };
  setDeploymentDefaults(d);
  const { template: t, ...spec } = d.spec!;
  assert.deepEqual(spec, {
    selector: { matchLabels: { app: 'a' } },
    replicas: 1,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    revisionHistoryLimit: 10,
    progressDeadlineSeconds: 600,
  });
  assert.equal(t.spec!.containers[0].imagePullPolicy, 'Always');
  assert.equal(t.spec!.restartPolicy, 'Always');
});

test('deployment: replicas 0 and Recreate are kept', () => {
  const d: Deployment = { spec: { replicas: 0, strategy: { type: 'Recreate' }, selector: {}, template: template() } };
  setDeploymentDefaults(d);
  assert.equal(d.spec!.replicas, 0);
  assert.deepEqual(d.spec!.strategy, { type: 'Recreate' });
});

test('replicaset and statefulset defaults', () => {
  const rs: ReplicaSet = { spec: { selector: {}, template: template() } };
  setReplicaSetDefaults(rs);
  assert.equal(rs.spec!.replicas, 1);
  const sts: StatefulSet = {
    spec: {
      serviceName: 'web',
      selector: {},
      template: template(),
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }],
    },
  };
  setStatefulSetDefaults(sts);
  const { template: _t, ...spec } = sts.spec!;
  assert.deepEqual(spec, {
    serviceName: 'web',
    selector: {},
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem' }, status: { phase: 'Pending' } }],
    podManagementPolicy: 'OrderedReady',
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    replicas: 1,
    revisionHistoryLimit: 10,
  });
});

test('namespace gets its name label and Active phase; node allocatable from capacity', () => {
  const ns = { metadata: { name: 'team-a', labels: { x: 'y' } } };
  setNamespaceDefaults(ns);
  assert.deepEqual(ns, { metadata: { name: 'team-a', labels: { x: 'y', 'kubernetes.io/metadata.name': 'team-a' } }, status: { phase: 'Active' } });
  const node = { status: { capacity: { cpu: '2', pods: '110' } } };
  setNodeDefaults(node);
  assert.deepEqual(node.status, { capacity: { cpu: '2', pods: '110' }, allocatable: { cpu: '2', pods: '110' } });
});

test('defaulting is idempotent (updates re-run it; kubectl apply relies on no-op updates)', () => {
  const sets: [string, (o: never) => void, object][] = [
    ['deployment', setDeploymentDefaults as (o: never) => void, { spec: { selector: {}, template: { spec: { containers: [{ name: 'c', image: 'i', livenessProbe: { httpGet: { port: 80 } } }], volumes: [{ name: 'v' }] } } } }],
    ['replicaset', setReplicaSetDefaults as (o: never) => void, { spec: { selector: {}, template: template() } }],
    ['statefulset', setStatefulSetDefaults as (o: never) => void, { spec: { selector: {}, template: template(), volumeClaimTemplates: [{ metadata: { name: 'd' } }] } }],
    ['namespace', setNamespaceDefaults as (o: never) => void, { metadata: { name: 'n' } }],
  ];
  for (const [what, set, obj] of sets) {
    const once = structuredClone(obj);
    set(once as never);
    const twice = structuredClone(once);
    set(twice as never);
    assert.deepEqual(twice, once, what);
  }
});
