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

// What `kubectl create deployment web2 --image=nginx --replicas=3` sends (decoded from protobuf).
const kubectlCreate = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web2', labels: { app: 'web2' } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web2' } },
    template: { metadata: { labels: { app: 'web2' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', resources: {} }] } },
    strategy: {},
  },
  status: { replicas: 7 },
});

test('kubectl create deployment: defaulted like kube-apiserver, status empty', async () => {
  const registry = await setup();
  const d = (await registry.create('apps/deployments', 'ns', kubectlCreate())) as unknown as { spec: Record<string, unknown>; status: unknown };
  assert.deepEqual(d.status, {});
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  assert.equal(d.spec.replicas, 3);
});

test('selector mismatch and selector change are 422 with kubectl-visible texts', async () => {
  const registry = await setup();
  const bad = kubectlCreate();
  bad.spec.template.metadata.labels = { app: 'other' };
  await assert.rejects(
    registry.create('apps/deployments', 'ns', bad),
    (e: unknown) =>
      isStatusError(e) &&
      e.message === 'Deployment.apps "web2" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
  );
  const d = await registry.create('apps/deployments', 'ns', kubectlCreate());
  const moved = structuredClone(d) as unknown as ReturnType<typeof kubectlCreate>;
  moved.spec.selector = { matchLabels: { app: 'web3' } };
  moved.spec.template.metadata.labels = { app: 'web3' };
  await assert.rejects(registry.update('apps/deployments', 'ns', 'web2', moved as never), (e: unknown) =>
    isStatusError(e) && e.message.endsWith('spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web3"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable'),
  );
});

test('status updates keep the spec; main updates keep the status', async () => {
  const registry = await setup();
  const d = await registry.create('apps/deployments', 'ns', kubectlCreate());
  const s = await registry.updateStatus('apps/deployments', 'ns', 'web2', { ...d, spec: { replicas: 1 }, status: { replicas: 3, readyReplicas: 3, availableReplicas: 3 } } as never);
  assert.equal((s.spec as { replicas: number }).replicas, 3);
  assert.deepEqual(s.status, { replicas: 3, readyReplicas: 3, availableReplicas: 3 });
  await assert.rejects(registry.updateStatus('apps/deployments', 'ns', 'web2', { ...s, status: { replicas: 1, readyReplicas: 3 } } as never), (e: unknown) =>
    isStatusError(e) && e.message.includes('status.readyReplicas: Invalid value: 3: cannot be greater than status.replicas'),
  );
  const u = await registry.update('apps/deployments', 'ns', 'web2', { ...s, status: {} } as never);
  assert.deepEqual(u.status, { replicas: 3, readyReplicas: 3, availableReplicas: 3 });
});
