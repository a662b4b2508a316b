import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../object.js';
import { RESOURCES, isReview } from '../resources.js';
import { toTable } from './index.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const MIN = 60_000;
const res = (kind: string) => RESOURCES.find((r) => r.kind === kind)!;

interface Row {
  cells: unknown[];
  object: unknown;
  conditions?: unknown[];
}
interface Table {
  kind: string;
  apiVersion: string;
  metadata: Record<string, unknown>;
  columnDefinitions: { name: string; type: string; format: string; priority: number; description: string }[];
  rows: Row[];
}

function table(kind: string, objs: KubeObject[], include: 'None' | 'Metadata' | 'Object' = 'Metadata'): Table {
  return toTable(res(kind), objs, { includeObject: include, now: NOW, listMeta: { resourceVersion: '42' } }) as unknown as Table;
}
const cells = (kind: string, obj: KubeObject) => table(kind, [obj]).rows[0].cells;
const columns = (kind: string) => table(kind, []).columnDefinitions.map((c) => (c.priority ? `${c.name}*` : c.name));

test('table envelope, column definitions and row objects', () => {
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', labels: { a: 'b' }, creationTimestamp: ago(5000) }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.9', ports: [{ port: 80, protocol: 'TCP' }] } };
  const t = table('Service', [svc]);
  assert.equal(t.kind, 'Table');
  assert.equal(t.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(t.metadata, { resourceVersion: '42' });
  assert.deepEqual(t.columnDefinitions[0], { name: 'Name', type: 'string', format: 'name', description: t.columnDefinitions[0].description, priority: 0 });
  assert.match(t.columnDefinitions[0].description, /^Name must be unique within a namespace/);
  assert.deepEqual(t.rows[0].object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: svc.metadata });
  assert.deepEqual(table('Service', [svc], 'Object').rows[0].object, svc);
  assert.equal(table('Service', [svc], 'None').rows[0].object, null);
});

test('service columns and cells', () => {
  assert.deepEqual(columns('Service'), ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector*']);
  const base = { metadata: { name: 'web', creationTimestamp: ago(3 * MIN + 20_000) } };
  assert.deepEqual(
    cells('Service', { ...base, spec: { type: 'NodePort', clusterIP: '10.96.0.9', clusterIPs: ['10.96.0.9'], selector: { tier: 'fe', app: 'web' }, ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }] } }),
    ['web', 'NodePort', '10.96.0.9', '<none>', '80:30080/TCP,443/TCP', '3m20s', 'app=web,tier=fe'],
  );
  assert.deepEqual(cells('Service', { ...base, spec: { type: 'LoadBalancer', clusterIP: '10.96.0.9', ports: [{ port: 80, nodePort: 31000, protocol: 'TCP' }] } }).slice(3, 5), ['<pending>', '80:31000/TCP']);
  assert.equal(
    cells('Service', { ...base, spec: { type: 'LoadBalancer', clusterIP: '10.96.0.9', externalIPs: ['1.2.3.4'] }, status: { loadBalancer: { ingress: [{ ip: '192.0.2.2' }, { hostname: 'lb.example' }] } } })[3],
    '192.0.2.2,lb.example,1.2.3.4',
  );
  assert.deepEqual(cells('Service', { ...base, spec: { type: 'ExternalName', externalName: 'db.example.com' } }).slice(1, 5), ['ExternalName', '<none>', 'db.example.com', '<none>']);
  assert.deepEqual(cells('Service', { ...base, spec: { type: 'ClusterIP', clusterIP: 'None', externalIPs: ['5.6.7.8', '5.6.7.9'] } }).slice(2, 4), ['None', '5.6.7.8,5.6.7.9']);
  // Without a type (never stored: defaulting sets one) the printer says <unknown>, as upstream.
  assert.deepEqual(cells('Service', { ...base, spec: { clusterIP: '10.96.0.3' } }).slice(1, 5), ['', '10.96.0.3', '<unknown>', '<none>']);
});

test('endpoints and endpointslices', () => {
  assert.deepEqual(columns('Endpoints'), ['Name', 'Endpoints', 'Age']);
  const addr = (ip: string) => ({ ip });
  const ep = { metadata: { name: 'web', creationTimestamp: ago(2 * 24 * 3600_000 + 5 * 3600_000) }, subsets: [{ addresses: ['10.244.0.5', '10.244.0.6', '10.244.0.7', '10.244.0.8'].map(addr), ports: [{ port: 80 }] }] };
  assert.deepEqual(cells('Endpoints', ep), ['web', '10.244.0.5:80,10.244.0.6:80,10.244.0.7:80 + 1 more...', '2d5h']);
  assert.equal(cells('Endpoints', { metadata: { name: 'x' } })[1], '<none>');
  assert.equal(cells('Endpoints', { metadata: { name: 'x' }, subsets: [{ addresses: [addr('fd00::1')], ports: [{ port: 53 }] }] })[1], '[fd00::1]:53');
  assert.equal(cells('Endpoints', { metadata: { name: 'x' }, subsets: [{ addresses: [addr('10.0.0.1')] }] })[1], '10.0.0.1');

  assert.deepEqual(columns('EndpointSlice'), ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
  const slice = {
    metadata: { name: 'web-abc12', creationTimestamp: ago(30_000) },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    endpoints: [{ addresses: ['10.244.0.5'] }, { addresses: ['10.244.0.6'] }, { addresses: ['10.244.0.7'] }, { addresses: ['10.244.0.8'] }, { addresses: ['10.244.0.9'] }],
  };
  assert.deepEqual(cells('EndpointSlice', slice), ['web-abc12', 'IPv4', '80', '10.244.0.5,10.244.0.6,10.244.0.7 + 2 more...', '30s']);
  assert.deepEqual(cells('EndpointSlice', { metadata: { name: 'e' }, addressType: 'IPv4' }).slice(2, 4), ['<unset>', '<unset>']);
});

function pod(extra: Record<string, unknown> = {}, status: Record<string, unknown> = {}, spec: Record<string, unknown> = {}): KubeObject {
  return {
    metadata: { name: 'web-1', creationTimestamp: ago(10 * MIN), ...extra },
    spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'nginx' }], ...spec },
    status: { phase: 'Running', podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }], ...status },
  };
}
const running = (restartCount = 0, last?: string) => ({
  name: 'app',
  ready: true,
  restartCount,
  state: { running: { startedAt: ago(MIN) } },
  ...(last ? { lastState: { terminated: { exitCode: 1, finishedAt: last } } } : {}),
});

test('pod columns and the common statuses', () => {
  assert.deepEqual(columns('Pod'), ['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP*', 'Node*', 'Nominated Node*', 'Readiness Gates*']);
  assert.deepEqual(cells('Pod', pod({}, { containerStatuses: [running()] })), ['web-1', '1/1', 'Running', '0', '10m', '10.244.0.5', 'node-1', '<none>', '<none>']);
  assert.deepEqual(cells('Pod', pod({}, { containerStatuses: [running(5, ago(5 * MIN))] })).slice(1, 4), ['1/1', 'Running', '5 (5m ago)']);
  const crash = { name: 'app', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(20_000) } } };
  assert.deepEqual(cells('Pod', pod({}, { containerStatuses: [crash] })).slice(1, 4), ['0/1', 'CrashLoopBackOff', '3 (20s ago)']);
  const done = { name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } };
  const completed = table('Pod', [pod({}, { phase: 'Succeeded', containerStatuses: [done] })]).rows[0];
  assert.deepEqual(completed.cells.slice(1, 3), ['0/1', 'Completed']);
  assert.deepEqual(completed.conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
  const killed = { name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 137, signal: 9 } } };
  assert.equal(cells('Pod', pod({}, { phase: 'Failed', containerStatuses: [killed] }))[2], 'Signal:9');
  assert.equal(cells('Pod', pod({}, { phase: 'Failed', containerStatuses: [{ ...killed, state: { terminated: { exitCode: 2 } } }] }))[2], 'ExitCode:2');
  assert.equal(cells('Pod', pod({ deletionTimestamp: ago(0) }, { containerStatuses: [running()] }))[2], 'Terminating');
  assert.deepEqual(cells('Pod', pod({}, { phase: 'Pending', podIPs: [], podIP: undefined }, { nodeName: undefined })).slice(2, 7), ['Pending', '0', '10m', '<none>', '<none>']);
  assert.equal(cells('Pod', pod({}, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }))[2], 'SchedulingGated');
  assert.equal(cells('Pod', pod({}, { reason: 'Evicted', phase: 'Failed' }))[2], 'Evicted');
});

test('pod init containers, sidecars and readiness gates', () => {
  const spec = { initContainers: [{ name: 'init-a' }, { name: 'init-b' }] };
  const initDone = { name: 'init-a', ready: false, restartCount: 0, state: { terminated: { exitCode: 0 } } };
  const initRunning = { name: 'init-b', ready: false, restartCount: 0, state: { running: {} } };
  assert.equal(cells('Pod', pod({}, { phase: 'Pending', initContainerStatuses: [initDone, initRunning] }, spec))[2], 'Init:1/2');
  const initWaiting = { ...initRunning, state: { waiting: { reason: 'ImagePullBackOff' } } };
  assert.equal(cells('Pod', pod({}, { phase: 'Pending', initContainerStatuses: [initDone, initWaiting] }, spec))[2], 'Init:ImagePullBackOff');
  const initFailed = { ...initRunning, restartCount: 2, state: { terminated: { exitCode: 1, reason: 'Error' } } };
  assert.deepEqual(cells('Pod', pod({}, { phase: 'Pending', initContainerStatuses: [initDone, initFailed] }, spec)).slice(2, 4), ['Init:Error', '2']);

  const sidecarSpec = { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] };
  const sidecar = { name: 'proxy', ready: true, started: true, restartCount: 1, state: { running: {} } };
  assert.deepEqual(cells('Pod', pod({}, { initContainerStatuses: [sidecar], containerStatuses: [running()] }, sidecarSpec)).slice(1, 4), ['2/2', 'Running', '1']);

  const gates = { readinessGates: [{ conditionType: 'a' }, { conditionType: 'b' }] };
  assert.equal(cells('Pod', pod({}, { conditions: [{ type: 'a', status: 'True' }, { type: 'b', status: 'False' }], containerStatuses: [running()] }, gates))[8], '1/2');
});

test('pod with a completed and a running container shows Running or NotReady', () => {
  const spec = { containers: [{ name: 'a' }, { name: 'b' }] };
  const done = { name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } };
  const up = { ...running(), name: 'b' };
  // A running container that is not ready does not count as running.
  assert.equal(cells('Pod', pod({}, { containerStatuses: [done, { ...up, ready: false }], conditions: [{ type: 'Ready', status: 'False' }] }, spec))[2], 'Completed');
  assert.equal(cells('Pod', pod({}, { containerStatuses: [up, done], conditions: [{ type: 'Ready', status: 'True' }] }, spec))[2], 'Running');
  assert.equal(cells('Pod', pod({}, { containerStatuses: [up, done], conditions: [{ type: 'Ready', status: 'False' }] }, spec))[2], 'NotReady');
});

test('deployment, replicaset, statefulset', () => {
  assert.deepEqual(columns('Deployment'), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers*', 'Images*', 'Selector*']);
  const template = { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'log', image: 'busybox' }] } };
  const dep = { metadata: { name: 'web', creationTimestamp: ago(90_000) }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } };
  assert.deepEqual(cells('Deployment', dep), ['web', '2/3', 3, 2, '90s', 'web,log', 'nginx:1.27,busybox', 'app=web']);
  assert.deepEqual(cells('Deployment', { metadata: { name: 'd' }, spec: { template: {} } }).slice(1, 5), ['0/1', 0, 0, '<unknown>']);

  assert.deepEqual(columns('ReplicaSet'), ['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers*', 'Images*', 'Selector*']);
  const rs = { metadata: { name: 'web-5d4f', creationTimestamp: ago(MIN) }, spec: { replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': '5d4f' } }, template }, status: { replicas: 3, readyReplicas: 1 } };
  assert.deepEqual(cells('ReplicaSet', rs), ['web-5d4f', 3, 3, 1, '60s', 'web,log', 'nginx:1.27,busybox', 'app=web,pod-template-hash=5d4f']);

  assert.deepEqual(columns('StatefulSet'), ['Name', 'Ready', 'Age', 'Containers*', 'Images*']);
  const sts = { metadata: { name: 'db', creationTimestamp: ago(MIN) }, spec: { replicas: 2, template }, status: { readyReplicas: 2 } };
  assert.deepEqual(cells('StatefulSet', sts), ['db', '2/2', '60s', 'web,log', 'nginx:1.27,busybox']);
});

test('node', () => {
  assert.deepEqual(columns('Node'), ['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP*', 'External-IP*', 'OS-Image*', 'Kernel-Version*', 'Container-Runtime*']);
  const node = {
    metadata: { name: 'node-1', labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'worker' }, creationTimestamp: ago(3 * 3600_000) },
    spec: { unschedulable: true },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'Hostname', address: 'node-1' }],
      nodeInfo: { kubeletVersion: 'v1.32.0-kubesvc', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: '' },
    },
  };
  assert.deepEqual(cells('Node', node), ['node-1', 'Ready,SchedulingDisabled', 'control-plane,worker', '3h', 'v1.32.0-kubesvc', '10.0.0.1', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0', '<unknown>']);
  assert.deepEqual(cells('Node', { metadata: { name: 'n' } }).slice(1, 3), ['Unknown', '<none>']);
  assert.equal(cells('Node', { metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } })[1], 'NotReady');
});

test('event', () => {
  assert.deepEqual(columns('Event'), ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject*', 'Source*', 'Message', 'First Seen*', 'Count*', 'Name*']);
  const ev = {
    metadata: { name: 'web.17a' },
    involvedObject: { kind: 'Service', name: 'web', namespace: 'default' },
    reason: 'NoEndpoints',
    message: 'no pods match the selector \n',
    type: 'Warning',
    source: { component: 'endpoint-controller' },
    firstTimestamp: ago(10 * MIN),
    lastTimestamp: ago(2 * MIN),
    count: 4,
  };
  assert.deepEqual(cells('Event', ev), ['2m', 'Warning', 'NoEndpoints', 'service/web', '', 'endpoint-controller', 'no pods match the selector', '10m', 4, 'web.17a']);
  const micro = { metadata: { name: 'e2' }, involvedObject: { kind: 'Node' }, eventTime: ago(30_000) + '', reportingComponent: 'kubelet', reportingInstance: 'node-1', type: 'Normal', reason: 'Starting' };
  assert.deepEqual(cells('Event', micro), ['30s', 'Normal', 'Starting', 'node', '', 'kubelet, node-1', '', '30s', 1, 'e2']);
});

test('namespace, configmap, lease', () => {
  assert.deepEqual(cells('Namespace', { metadata: { name: 'default', creationTimestamp: ago(400 * 24 * 3600_000) }, status: { phase: 'Active' } }), ['default', 'Active', '400d']);
  assert.deepEqual(cells('ConfigMap', { metadata: { name: 'cfg', creationTimestamp: ago(1000) }, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }), ['cfg', 3, '1s']);
  assert.deepEqual(columns('ConfigMap'), ['Name', 'Data', 'Age']);
  assert.deepEqual(cells('Lease', { metadata: { name: 'kube-scheduler', creationTimestamp: ago(5 * MIN) }, spec: { holderIdentity: 'node-1_abc' } }), ['kube-scheduler', 'node-1_abc', '5m']);
  assert.deepEqual(columns('Lease'), ['Name', 'Holder', 'Age']);
});

test('every served kind has a printer with as many cells as columns', () => {
  // Reviews are never stored, so never listed or printed.
  for (const r of RESOURCES.filter((x) => !isReview(x))) {
    const t = toTable(r, [{ metadata: { name: 'x' } }], { includeObject: 'None', now: NOW }) as unknown as Table;
    assert.notEqual(t.columnDefinitions[1].name, 'Created At', `${r.kind} uses the default printer`);
    assert.equal(t.rows[0].cells.length, t.columnDefinitions.length, r.kind);
  }
});
