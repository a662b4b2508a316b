import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { formatFieldError } from '../field-errors.js';
import { setPodDefaults } from '../defaults/pod.js';
import { validatePod, validatePodStatusUpdate, validatePodUpdate } from './pod.js';

function pod(spec: object): Pod {
  const p = { metadata: { name: 'p', namespace: 'default' }, spec } as Pod;
  setPodDefaults(p);
  return p;
}

const texts = (p: Pod) => validatePod(p).map(formatFieldError);

test('a defaulted simple pod is valid', () => {
  assert.deepEqual(texts(pod({ containers: [{ name: 'web', image: 'nginx', ports: [{ name: 'http', containerPort: 80 }] }] })), []);
});

test('containers are required; names, images and uniqueness are checked', () => {
  assert.deepEqual(texts(pod({ containers: [] })), ['spec.containers: Required value']);
  assert.deepEqual(texts(pod({ containers: [{ name: 'Web', image: 'nginx' }, { name: '', image: '' }] })), [
    `spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    'spec.containers[1].name: Required value',
    'spec.containers[1].image: Required value',
  ]);
  assert.deepEqual(texts(pod({ initContainers: [{ name: 'a', image: 'x' }], containers: [{ name: 'a', image: 'x' }] })), [
    'spec.initContainers[0].name: Duplicate value: "a"',
  ]);
});

test('container ports: range, names and protocol', () => {
  const p = pod({
    containers: [
      {
        name: 'c',
        image: 'x',
        ports: [
          { name: 'http', containerPort: 70000 },
          { name: 'http', containerPort: 81 },
          { name: 'Bad_Name', containerPort: 0, protocol: 'ICMP' },
        ],
      },
    ],
  });
  assert.deepEqual(texts(p), [
    'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.containers[0].ports[1].name: Duplicate value: "http"',
    'spec.containers[0].ports[2].name: Invalid value: "Bad_Name": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    'spec.containers[0].ports[2].containerPort: Required value',
    'spec.containers[0].ports[2].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
  ]);
});

test('restartPolicy, dnsPolicy, hostname and probes', () => {
  const p = pod({
    restartPolicy: 'Sometimes',
    dnsPolicy: 'Cluster',
    hostname: 'My_Host',
    containers: [{ name: 'c', image: 'x', livenessProbe: { successThreshold: 2, httpGet: { port: 'http' } }, readinessProbe: {} }],
  });
  assert.deepEqual(texts(p), [
    'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
    'spec.containers[0].readinessProbe: Required value: must specify a handler type',
    'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    'spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
    `spec.hostname: Invalid value: "My_Host": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
  ]);
});

test('volume mounts must name a volume; requests may not exceed limits', () => {
  const p = pod({
    volumes: [{ name: 'data', emptyDir: {} }],
    containers: [
      {
        name: 'c',
        image: 'x',
        volumeMounts: [{ name: 'data', mountPath: '/d' }, { name: 'logs', mountPath: '/l' }],
        resources: { limits: { cpu: '500m' }, requests: { cpu: '1', memory: 'lots' } },
      },
    ],
  });
  assert.deepEqual(texts(p), [
    'spec.containers[0].volumeMounts[1].name: Not found: "logs"',
    `spec.containers[0].resources.requests[memory]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    'spec.containers[0].resources.requests: Invalid value: "1": must be less than or equal to cpu limit of 500m',
  ]);
});

test('pod updates: images may change, other spec fields may not', () => {
  const old = pod({ containers: [{ name: 'c', image: 'nginx:1', ports: [{ containerPort: 80 }] }] });
  const images = structuredClone(old);
  images.spec!.containers[0].image = 'nginx:2';
  assert.deepEqual(validatePodUpdate(images, old), []);
  const ports = structuredClone(old);
  ports.spec!.containers[0].ports![0].containerPort = 81;
  assert.deepEqual(validatePodUpdate(ports, old).map(formatFieldError), [
    'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
  ]);
  const tolerations = structuredClone(old);
  tolerations.spec!.tolerations = [{ key: 'k', operator: 'Exists' }];
  assert.deepEqual(validatePodUpdate(tolerations, old), []);
  const deadline = structuredClone(old);
  deadline.spec!.activeDeadlineSeconds = 30;
  assert.deepEqual(validatePodUpdate(deadline, old), []);
});

test('tolerations: key, operator, value and effect rules', () => {
  const p = pod({
    containers: [{ name: 'c', image: 'x' }],
    tolerations: [
      { operator: 'Equal', value: 'v' },
      { key: 'k', operator: 'Exists', value: 'v', effect: 'NoExecute' },
      { key: 'k', operator: 'Like', tolerationSeconds: 5, effect: 'NoSchedule' },
    ],
  });
  assert.deepEqual(texts(p), [
    'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
    `spec.tolerations[1].operator: Invalid value: {"key":"k","operator":"Exists","value":"v","effect":"NoExecute"}: value must be empty when \`operator\` is 'Exists'`,
    "spec.tolerations[2].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
    'spec.tolerations[2].operator: Unsupported value: "Like": supported values: "Equal", "Exists"',
  ]);
});

test('status updates: pod and host IPs must be valid, one per family', () => {
  const withStatus = (status: object) => ({ ...pod({ containers: [{ name: 'c', image: 'x' }] }), status }) as Pod;
  assert.deepEqual(validatePodStatusUpdate(withStatus({ podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }, { ip: 'fd00::5' }] })), []);
  assert.deepEqual(validatePodStatusUpdate(withStatus({ podIPs: [{ ip: '10.244.0.5' }, { ip: '10.244.0.6' }], hostIPs: [{ ip: 'node-1' }] })).map(formatFieldError), [
    'status.podIPs: Invalid value: ["10.244.0.5","10.244.0.6"]: may specify no more than one IP for each IP family',
    'status.hostIPs[0].ip: Invalid value: "node-1": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
  ]);
});

test('env valueFrom: one source, known field paths and resources', () => {
  const p = pod({
    containers: [
      {
        name: 'c',
        image: 'x',
        env: [
          { name: 'OK', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
          { name: 'BAD_PATH', valueFrom: { fieldRef: { fieldPath: 'spec.hostname' } } },
          { name: 'BOTH', value: 'v', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } },
          { name: 'NONE', valueFrom: {} },
          { name: 'RES', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } },
        ],
      },
    ],
  });
  assert.deepEqual(texts(p), [
    'spec.containers[0].env[1].valueFrom.fieldRef.fieldPath: Unsupported value: "spec.hostname": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"',
    'spec.containers[0].env[2].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
    'spec.containers[0].env[3].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
    'spec.containers[0].env[4].valueFrom.resourceFieldRef.resource: Unsupported value: "limits.gpu": supported values: "limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"',
  ]);
});

test('security contexts: id ranges and privilege escalation', () => {
  const p = pod({
    securityContext: { runAsUser: -1, supplementalGroups: [5, 2 ** 31] },
    containers: [{ name: 'c', image: 'x', securityContext: { runAsGroup: -2, privileged: true, allowPrivilegeEscalation: false } }],
  });
  assert.deepEqual(
    validatePod(p).map((e) => `${e.field}: ${e.detail}`),
    [
      'spec.containers[0].securityContext.runAsGroup: must be between 0 and 2147483647, inclusive',
      'spec.containers[0].securityContext: cannot set `allowPrivilegeEscalation` to false and `privileged` to true',
      'spec.securityContext.runAsUser: must be between 0 and 2147483647, inclusive',
      'spec.securityContext.supplementalGroups[1]: must be between 0 and 2147483647, inclusive',
    ],
  );
});
