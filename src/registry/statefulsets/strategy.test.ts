import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from '../../api/errors.js';
import { createMemoryStore } from '../../store/memory/memory-store.js';
import { silentLogger } from '../../util/log.js';
import { createRegistry } from '../index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../types.js';

test('statefulset: defaults, status reset, only some spec fields may change', async () => {
  const r = await createRegistry({ store: createMemoryStore(), logger: silentLogger, config: DEFAULT_REGISTRY_CONFIG });
  await r.create('/namespaces', undefined, { metadata: { name: 'ns' } });
  const sts = await r.create('apps/statefulsets', 'ns', {
    metadata: { name: 'db' },
    spec: {
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'postgres:16' }] } },
    },
    status: { replicas: 9 },
  });
  const spec = sts.spec as Record<string, unknown>;
  assert.deepEqual(sts.status, { replicas: 0, availableReplicas: 0 });
  assert.equal(spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  const scaled = await r.update('apps/statefulsets', 'ns', 'db', { ...sts, spec: { ...spec, replicas: 3 } } as never);
  assert.equal((scaled.spec as { replicas: number }).replicas, 3);
  await assert.rejects(
    r.update('apps/statefulsets', 'ns', 'db', { ...scaled, spec: { ...(scaled.spec as object), serviceName: 'other' } } as never),
    (e: unknown) => isStatusError(e) && e.code === 422 && e.message.startsWith('StatefulSet.apps "db" is invalid: spec: Forbidden: updates to statefulset spec'),
  );
});
