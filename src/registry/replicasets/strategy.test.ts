import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from '../../api/errors.js';
import { createMemoryStore } from '../../store/memory/memory-store.js';
import { silentLogger } from '../../util/log.js';
import { createRegistry } from '../index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../types.js';

test('replicaset: replicas default 1, status {replicas: 0}, status validated', async () => {
  const r = await createRegistry({ store: createMemoryStore(), logger: silentLogger, config: DEFAULT_REGISTRY_CONFIG });
  await r.create('/namespaces', undefined, { metadata: { name: 'ns' } });
  const rs = await r.create('apps/replicasets', 'ns', {
    metadata: { name: 'web-1' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  });
  assert.equal((rs.spec as { replicas: number }).replicas, 1);
  assert.deepEqual(rs.status, { replicas: 0 });
  await assert.rejects(
    r.updateStatus('apps/replicasets', 'ns', 'web-1', { ...rs, status: { replicas: 1, readyReplicas: 2 } } as never),
    (e: unknown) => isStatusError(e) && e.code === 422 && e.message.includes('status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas'),
  );
});
