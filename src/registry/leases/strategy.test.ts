import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from '../../api/errors.js';
import { createMemoryStore } from '../../store/memory/memory-store.js';
import { silentLogger } from '../../util/log.js';
import { createRegistry } from '../index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../types.js';

test('lease: a positive duration is required when set', async () => {
  const r = await createRegistry({ store: createMemoryStore(), logger: silentLogger, config: DEFAULT_REGISTRY_CONFIG });
  await r.create('/namespaces', undefined, { metadata: { name: 'ns' } });
  const ok = await r.create('coordination.k8s.io/leases', 'ns', { metadata: { name: 'n1' }, spec: { holderIdentity: 'n1', leaseDurationSeconds: 40 } });
  assert.equal((ok.spec as { holderIdentity: string }).holderIdentity, 'n1');
  await assert.rejects(r.create('coordination.k8s.io/leases', 'ns', { metadata: { name: 'n2' }, spec: { leaseDurationSeconds: -1 } }), (e: unknown) =>
    isStatusError(e) && e.message === 'Lease.coordination.k8s.io "n2" is invalid: spec.leaseDurationSeconds: Invalid value: -1: must be greater than 0',
  );
});
