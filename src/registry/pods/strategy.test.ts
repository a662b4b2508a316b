import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from '../../api/errors.js';
import { createMemoryStore } from '../../store/memory/memory-store.js';
import { silentLogger } from '../../util/log.js';
import { createRegistry } from '../index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../types.js';

async function setup() {
  const registry = await createRegistry({ store: createMemoryStore(), logger: silentLogger, config: DEFAULT_REGISTRY_CONFIG });
  await registry.create('/namespaces', undefined, { metadata: { name: 'ns' } });
  return registry;
}

const podBody = () => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] }, status: { phase: 'Running' } });

test('create: defaults applied, status reset to Pending with its QoS class', async () => {
  const registry = await setup();
  const pod = (await registry.create('/pods', 'ns', podBody())) as unknown as {
    spec: Record<string, unknown> & { containers: Record<string, unknown>[] };
    status: unknown;
  };
  assert.deepEqual(pod.status, { phase: 'Pending', qosClass: 'BestEffort' });
  assert.equal(pod.spec.restartPolicy, 'Always');
  assert.equal(pod.spec.terminationGracePeriodSeconds, 30);
  assert.equal(pod.spec.containers[0].imagePullPolicy, 'IfNotPresent');
  assert.deepEqual(pod.spec.containers[0].resources, {});
});

test('invalid pod → 422 with Kubernetes text', async () => {
  const registry = await setup();
  await assert.rejects(
    registry.create('/pods', 'ns', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }] } }),
    (e: unknown) => isStatusError(e) && e.code === 422 && e.message === 'Pod "p" is invalid: spec.containers[0].image: Required value',
  );
});

test('update keeps status and allows an image change; /status changes only status', async () => {
  const registry = await setup();
  const created = await registry.create('/pods', 'ns', podBody());
  const withStatus = await registry.updateStatus('/pods', 'ns', 'p', { ...created, status: { phase: 'Running', podIP: '10.244.0.7' } });
  assert.deepEqual(withStatus.status, { phase: 'Running', podIP: '10.244.0.7' });
  const next = structuredClone(withStatus) as unknown as { spec: { containers: { image: string }[] }; status: unknown };
  next.spec.containers[0].image = 'nginx:1.28';
  next.status = { phase: 'Failed' };
  const updated = (await registry.update('/pods', 'ns', 'p', next as never)) as unknown as typeof next;
  assert.equal(updated.spec.containers[0].image, 'nginx:1.28');
  assert.deepEqual(updated.status, { phase: 'Running', podIP: '10.244.0.7' });
  const forbidden = structuredClone(updated) as unknown as { spec: { restartPolicy: string } };
  forbidden.spec.restartPolicy = 'Never';
  await assert.rejects(
    registry.update('/pods', 'ns', 'p', forbidden as never),
    (e: unknown) => isStatusError(e) && e.code === 422 && e.message.startsWith('Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than'),
  );
});
