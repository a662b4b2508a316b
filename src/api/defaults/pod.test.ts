import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { defaultPullPolicy, imageTag } from './image.js';
import { setPodDefaults, setPodTemplateSpecDefaults } from './pod.js';
import { podQOSClass } from './qos.js';

test('imagePullPolicy: Always for latest or no tag, IfNotPresent otherwise', () => {
  assert.equal(defaultPullPolicy('nginx'), 'Always');
  assert.equal(defaultPullPolicy('nginx:latest'), 'Always');
  assert.equal(defaultPullPolicy('nginx:1.27'), 'IfNotPresent');
  assert.equal(defaultPullPolicy('registry:5000/team/app'), 'Always');
  assert.equal(defaultPullPolicy('registry:5000/team/app:v2'), 'IfNotPresent');
  assert.equal(defaultPullPolicy('nginx@sha256:abc'), 'IfNotPresent');
  assert.equal(defaultPullPolicy(''), 'IfNotPresent');
  assert.equal(imageTag('a/b:c@sha256:d'), 'c');
});

test('a minimal pod gets the full set of Kubernetes defaults', () => {
  const pod: Pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36', ports: [{ containerPort: 80 }] }] } };
  setPodDefaults(pod);
  assert.deepEqual(pod.spec, {
    containers: [
      {
        name: 'c',
        image: 'busybox:1.36',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        imagePullPolicy: 'IfNotPresent',
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        resources: {},
      },
    ],
    restartPolicy: 'Always',
    dnsPolicy: 'ClusterFirst',
    terminationGracePeriodSeconds: 30,
    schedulerName: 'default-scheduler',
    securityContext: {},
    enableServiceLinks: true,
  });
});

test('probes, env fieldRef, volumes and host network defaults; set values are kept', () => {
  const pod: Pod = {
    spec: {
      hostNetwork: true,
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      enableServiceLinks: false,
      containers: [
        {
          name: 'c',
          image: 'x',
          imagePullPolicy: 'Never',
          ports: [{ containerPort: 8080, protocol: 'UDP' }],
          env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
          livenessProbe: { httpGet: { port: 8080 }, periodSeconds: 5 },
          readinessProbe: { grpc: { port: 9000 } },
          resources: { limits: { memory: '64Mi' }, requests: { cpu: '10m' } },
        },
      ],
      volumes: [{ name: 'a' }, { name: 'b', configMap: { name: 'cm' } }, { name: 'c', secret: { secretName: 's', defaultMode: 0o400 } }, { name: 'd', hostPath: { path: '/x' } }],
    },
  };
  setPodDefaults(pod);
  const c = pod.spec!.containers[0];
  assert.equal(pod.spec!.restartPolicy, 'Never');
  assert.equal(pod.spec!.terminationGracePeriodSeconds, 0);
  assert.equal(pod.spec!.enableServiceLinks, false);
  assert.equal(c.imagePullPolicy, 'Never');
  assert.deepEqual(c.ports, [{ containerPort: 8080, protocol: 'UDP', hostPort: 8080 }]);
  assert.deepEqual(c.env![0].valueFrom!.fieldRef, { fieldPath: 'spec.nodeName', apiVersion: 'v1' });
  assert.deepEqual(c.livenessProbe, { httpGet: { port: 8080, path: '/', scheme: 'HTTP' }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(c.readinessProbe!.grpc, { port: 9000, service: '' });
  assert.deepEqual(c.resources, { limits: { memory: '64Mi' }, requests: { cpu: '10m', memory: '64Mi' } });
  assert.deepEqual(pod.spec!.volumes, [
    { name: 'a', emptyDir: {} },
    { name: 'b', configMap: { name: 'cm', defaultMode: 420 } },
    { name: 'c', secret: { secretName: 's', defaultMode: 256 } },
    { name: 'd', hostPath: { path: '/x', type: '' } },
  ]);
});

test('templates get PodSpec defaults but not the Pod-only ones', () => {
  const t = { spec: { containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: '1' } } }] } };
  setPodTemplateSpecDefaults(t);
  assert.equal('enableServiceLinks' in t.spec, false);
  assert.deepEqual(t.spec.containers[0].resources, { limits: { cpu: '1' } });
  assert.equal((t.spec as { dnsPolicy?: string }).dnsPolicy, 'ClusterFirst');
});

test('QoS class: BestEffort, Burstable, Guaranteed', () => {
  const pod = (resources: object[]): Pod => ({ spec: { containers: resources.map((r, i) => ({ name: `c${i}`, resources: r })) } });
  assert.equal(podQOSClass(pod([{}, {}])), 'BestEffort');
  assert.equal(podQOSClass(pod([{ requests: { cpu: '100m' } }])), 'Burstable');
  assert.equal(podQOSClass(pod([{ limits: { cpu: '1', memory: '1Gi' } }])), 'Guaranteed');
  assert.equal(podQOSClass(pod([{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1000m', memory: '1024Mi' } }])), 'Guaranteed');
  assert.equal(podQOSClass(pod([{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } }])), 'Burstable');
  assert.equal(podQOSClass(pod([{ limits: { cpu: '1', memory: '1Gi' } }, {}])), 'Burstable');
});
