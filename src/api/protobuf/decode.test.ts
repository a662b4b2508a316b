import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { decodeProtobufObject, PROTOBUF_MAGIC } from './decode.js';
import { encodeProtobufObject } from './encode.js';
import { messageType } from './root.js';

function roundTrip(obj: KubeObject): KubeObject {
  return decodeProtobufObject(encodeProtobufObject(obj));
}

function assertBadRequest(fn: () => unknown, re: RegExp) {
  assert.throws(fn, (e: unknown) => isStatusError(e) && e.code === 400 && e.reason === 'BadRequest' && re.test(e.message));
}

/** A hand-made runtime.Unknown envelope, independent of encode.ts. */
function envelope(apiVersion: string, kind: string, raw: Uint8Array, contentEncoding = ''): Buffer {
  const t = messageType('Unknown');
  return Buffer.concat([PROTOBUF_MAGIC, t.encode(t.fromObject({ typeMeta: { apiVersion, kind }, raw, contentEncoding })).finish()]);
}

test('pod with the full container closure survives encode → decode', () => {
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'p',
      namespace: 'ns',
      labels: { app: 'x' },
      annotations: { 'a/b': 'c' },
      creationTimestamp: '2026-11-21T20:48:53Z',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true, blockOwnerDeletion: true }],
      finalizers: ['f'],
      generation: 3,
    },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'nginx:1.27',
          command: ['sh', '-c'],
          args: ['echo hi'],
          workingDir: '/w',
          ports: [{ name: 'http', containerPort: 80, protocol: 'TCP', hostPort: 8080 }],
          env: [
            { name: 'A', value: '1' },
            { name: 'EMPTY' },
            { name: 'NODE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } },
            { name: 'CM', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k', optional: false } } },
            { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
          ],
          envFrom: [{ prefix: 'P_', configMapRef: { name: 'cm' } }, { secretRef: { name: 's', optional: true } }],
          resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m' } },
          volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true, subPath: 'x' }],
          livenessProbe: {
            httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP', httpHeaders: [{ name: 'X', value: '' }] },
            initialDelaySeconds: 5,
            periodSeconds: 10,
          },
          readinessProbe: { tcpSocket: { port: 'http' }, timeoutSeconds: 1 },
          startupProbe: { exec: { command: ['true'] }, failureThreshold: 30 },
          lifecycle: { preStop: { exec: { command: ['sleep', '5'] } }, postStart: { sleep: { seconds: 1 } } },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
          securityContext: { runAsUser: 0, runAsNonRoot: false, capabilities: { add: ['NET_ADMIN'] }, privileged: false },
          stdin: true,
          tty: true,
        },
      ],
      initContainers: [{ name: 'init', image: 'busybox', resources: {} }],
      volumes: [
        { name: 'data', emptyDir: { sizeLimit: '1Gi' } },
        { name: 'cfg', configMap: { name: 'cm', items: [{ key: 'a', path: 'a.txt' }], defaultMode: 420 } },
        { name: 'sec', secret: { secretName: 's', optional: true } },
        { name: 'host', hostPath: { path: '/tmp', type: 'Directory' } },
        { name: 'pvc', persistentVolumeClaim: { claimName: 'claim' } },
        { name: 'dapi', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 0,
      dnsPolicy: 'ClusterFirst',
      nodeSelector: { disk: 'ssd' },
      serviceAccountName: 'sa',
      nodeName: 'n1',
      hostNetwork: true,
      securityContext: { fsGroup: 2000, supplementalGroups: [1, 2], sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] },
      imagePullSecrets: [{ name: 'reg' }],
      hostname: 'h',
      subdomain: 'sub',
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'k', operator: 'In', values: ['v'] }] }],
          },
        },
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'x' } } } },
          ],
        },
      },
      schedulerName: 'default-scheduler',
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
      hostAliases: [{ ip: '127.0.0.1', hostnames: ['foo.local'] }],
      priority: 0,
      dnsConfig: { nameservers: ['1.2.3.4'], options: [{ name: 'ndots', value: '2' }] },
      enableServiceLinks: true,
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }],
    },
    status: {
      phase: 'Running',
      podIP: '10.244.0.5',
      podIPs: [{ ip: '10.244.0.5' }],
      startTime: '2026-11-21T20:48:54Z',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-11-21T20:48:55Z' }],
    },
  };
  assert.deepEqual(roundTrip(pod), pod);
});

test('deployment, replicaset and statefulset keep pointer zeros and IntOrString forms', () => {
  const deploy: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'd' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
      template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'i', resources: {} }] } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      revisionHistoryLimit: 0,
      progressDeadlineSeconds: 600,
      paused: true,
    },
    status: { replicas: 2, conditions: [{ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' }] },
  };
  assert.deepEqual(roundTrip(deploy), deploy);

  const rs: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'r', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: 'u' }] },
    spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [] } } },
    status: { replicas: 0 },
  };
  const rsOut = roundTrip(rs);
  // An empty containers list is absent on the wire, as Go's JSON of a nil slice would be null.
  assert.deepEqual(rsOut, { ...rs, spec: { ...(rs.spec as object), template: { metadata: { labels: { a: 'b' } }, spec: {} } } });

  const sts: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 's' },
    spec: {
      replicas: 3,
      serviceName: 'web',
      selector: { matchLabels: { app: 's' } },
      template: { metadata: { labels: { app: 's' } }, spec: { containers: [{ name: 'c', image: 'i', resources: {} }] } },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: '' },
          status: {},
        },
      ],
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: '50%' } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' },
      ordinals: { start: 0 },
    },
    status: { replicas: 0, availableReplicas: 0 },
  };
  assert.deepEqual(roundTrip(sts), sts);
});

test('namespace, configmap (binaryData as base64), endpoints, endpointslice, lease', () => {
  const objs: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '', b: 'x' }, binaryData: { bin: Buffer.from([0, 1, 255]).toString('base64') }, immutable: false },
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'e' },
      subsets: [
        {
          addresses: [{ ip: '10.0.0.1', nodeName: 'n1', targetRef: { kind: 'Pod', name: 'p', namespace: 'default', uid: 'u' } }],
          notReadyAddresses: [{ ip: '10.0.0.2' }],
          ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
        },
      ],
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-abc', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.0.0.1'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'n1', targetRef: { kind: 'Pod', name: 'p' } },
      ],
      ports: [{ name: '', port: 80, protocol: 'TCP' }],
    },
    {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'l', namespace: 'kube-node-lease' },
      spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: '2026-11-21T20:48:53.123456Z' },
    },
  ];
  for (const o of objs) assert.deepEqual(roundTrip(o), o, String(o.kind));
});

test('zero values: omitempty fields are dropped, non-omitempty and pointer fields kept', () => {
  // Build the Service message directly with explicit zeros, as Go's marshaller writes them.
  const svc = messageType('Service');
  const raw = svc
    .encode(
      svc.fromObject({
        metadata: { name: 's', namespace: '', generation: 0, creationTimestamp: { seconds: 0, nanos: 0 } },
        spec: {
          ports: [{ name: '', protocol: 'TCP', port: 0, nodePort: 0, targetPort: { type: 0, intVal: 0, strVal: '' } }],
          clusterIP: '',
          type: 'ClusterIP',
          publishNotReadyAddresses: false,
          healthCheckNodePort: 0,
          allocateLoadBalancerNodePorts: false,
        },
        status: { loadBalancer: {} },
      }),
    )
    .finish();
  assert.deepEqual(decodeProtobufObject(envelope('v1', 'Service', raw)), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's' },
    spec: { ports: [{ protocol: 'TCP', port: 0, targetPort: 0 }], type: 'ClusterIP', allocateLoadBalancerNodePorts: false },
    status: { loadBalancer: {} },
  });
});

test('IntOrString type 1 is a string, Quantity is its string, Time is RFC 3339 seconds', () => {
  const pod = messageType('Pod');
  const raw = pod
    .encode(
      pod.fromObject({
        metadata: { name: 'p', creationTimestamp: { seconds: 1700000000, nanos: 5 } },
        spec: {
          containers: [
            {
              name: 'c',
              resources: { limits: { cpu: { string: '250m' } } },
              readinessProbe: { handler: { httpGet: { port: { type: 1, strVal: 'http', intVal: 0 } } } },
            },
          ],
        },
      }),
    )
    .finish();
  assert.deepEqual(decodeProtobufObject(envelope('v1', 'Pod', raw)), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', creationTimestamp: '2023-11-14T22:13:20Z' },
    spec: { containers: [{ name: 'c', resources: { limits: { cpu: '250m' } }, readinessProbe: { httpGet: { port: 'http' } } }] },
  });
});

test('malformed bodies are 400 BadRequest', () => {
  assertBadRequest(() => decodeProtobufObject(Buffer.from('{"kind":"Service"}')), /k8s\\0/);
  assertBadRequest(() => decodeProtobufObject(Buffer.from([0x6b, 0x38])), /k8s\\0/);
  assertBadRequest(() => decodeProtobufObject(Buffer.concat([PROTOBUF_MAGIC, Buffer.from([0x0a, 0x50, 0x01])])), /unable to decode protobuf Unknown/);
  assertBadRequest(() => decodeProtobufObject(envelope('v1', 'PersistentVolume', new Uint8Array())), /no kind "PersistentVolume" is registered for version "v1"/);
  assertBadRequest(() => decodeProtobufObject(envelope('v1', '', new Uint8Array())), /Kind/);
  assertBadRequest(() => decodeProtobufObject(envelope('v1', 'Service', Buffer.from([0x12, 0x10, 0x0a]))), /unable to decode protobuf Service/);
  assertBadRequest(() => decodeProtobufObject(envelope('v1', 'Service', new Uint8Array(), 'gzip')), /content encoding/);
  const ns = messageType('Namespace');
  const farFuture = ns.encode(ns.fromObject({ metadata: { name: 'n', creationTimestamp: { seconds: 9e15 } } })).finish();
  assertBadRequest(() => decodeProtobufObject(envelope('v1', 'Namespace', farFuture)), /unable to decode protobuf Namespace/);
});

test('an empty raw message decodes to just the type', () => {
  assert.deepEqual(decodeProtobufObject(envelope('v1', 'Namespace', new Uint8Array())), { apiVersion: 'v1', kind: 'Namespace' });
});

test('random and truncated bodies never escape as anything but 400 BadRequest', () => {
  // A deterministic generator, so a failure reproduces.
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const valid = encodeProtobufObject({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', labels: { a: 'b' } },
    spec: { replicas: 2, selector: { matchLabels: { a: 'b' } }, template: { spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }] } } },
  });
  const bodies: Buffer[] = [];
  for (let cut = PROTOBUF_MAGIC.length; cut < valid.length; cut++) bodies.push(valid.subarray(0, cut));
  for (let i = 0; i < 300; i++) {
    const b = Buffer.from(valid);
    for (let j = 0; j < 3; j++) b[PROTOBUF_MAGIC.length + Math.floor(rand() * (b.length - PROTOBUF_MAGIC.length))] = Math.floor(rand() * 256);
    bodies.push(b);
    bodies.push(envelope('v1', 'Pod', Buffer.from(Array.from({ length: 40 }, () => Math.floor(rand() * 256)))));
  }
  for (const b of bodies) {
    try {
      const obj = decodeProtobufObject(b);
      assert.equal(typeof obj.kind, 'string');
    } catch (e) {
      assert.ok(isStatusError(e) && e.code === 400, `unexpected ${String(e)}`);
    }
  }
});
