import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { formatFieldError } from '../../api/field-errors.js';
import { validateEphemeralContainersUpdate } from './ephemeral.js';

const ec = (name: string, extra: Record<string, unknown> = {}) => ({ name, image: 'busybox', imagePullPolicy: 'Always', terminationMessagePolicy: 'File', ...extra });
const pod = (ephemeral: ReturnType<typeof ec>[]): Pod => ({
  metadata: { name: 'web', namespace: 'default' },
  spec: { containers: [{ name: 'web', image: 'nginx', imagePullPolicy: 'Always', terminationMessagePolicy: 'File' }], ephemeralContainers: ephemeral },
});
const texts = (now: Pod, old: Pod) => validateEphemeralContainersUpdate(now, old).map(formatFieldError);

test('adding an ephemeral container is allowed', () => {
  assert.deepEqual(texts(pod([ec('dbg'), ec('dbg2', { targetContainerName: 'web' })]), pod([ec('dbg')])), []);
});

test('a name already used by a container is a Duplicate', () => {
  assert.deepEqual(texts(pod([ec('web')]), pod([])), ['spec.ephemeralContainers[0].name: Duplicate value: "web"']);
});

test('removing or changing an existing one is forbidden', () => {
  assert.deepEqual(texts(pod([]), pod([ec('dbg')])), ['spec.ephemeralContainers: Forbidden: existing ephemeral containers "dbg" may not be removed\n']);
  const changed = texts(pod([ec('dbg', { image: 'alpine' })]), pod([ec('dbg')]));
  assert.equal(changed.length, 1);
  assert.match(changed[0], /^spec\.ephemeralContainers\[dbg\]: Forbidden: existing ephemeral containers "dbg" may not be changed\n/);
});

test('ports, probes, lifecycle and resources cannot be set; the target must be a container of the pod', () => {
  const bad = ec('dbg', { ports: [{ containerPort: 80, protocol: 'TCP' }], readinessProbe: { exec: { command: ['true'] } }, resources: { limits: { cpu: '1' } }, targetContainerName: 'nope' });
  assert.deepEqual(texts(pod([bad]), pod([])), [
    'spec.ephemeralContainers[0].targetContainerName: Not found: "nope"',
    'spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container',
    'spec.ephemeralContainers[0].resources: Forbidden: cannot be set for an Ephemeral Container',
    'spec.ephemeralContainers[0].readinessProbe: Forbidden: cannot be set for an Ephemeral Container',
  ]);
});

test('an image is required', () => {
  assert.deepEqual(texts(pod([ec('dbg', { image: '' })]), pod([])), ['spec.ephemeralContainers[0].image: Required value']);
});

test('two new ones with one name: the later is the Duplicate; a sub-path mount is refused', () => {
  const vol = { volumes: [{ name: 'data', emptyDir: {} }] };
  const now = pod([ec('dbg'), ec('dbg', { volumeMounts: [{ name: 'data', mountPath: '/d', subPath: 'x' }] })]);
  Object.assign(now.spec!, vol);
  assert.deepEqual(texts(now, pod([])), [
    'spec.ephemeralContainers[1].name: Duplicate value: "dbg"',
    'spec.ephemeralContainers[1].volumeMounts[0].subPath: Forbidden: cannot be set for an Ephemeral Container',
  ]);
});
