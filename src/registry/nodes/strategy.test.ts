import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from '../../store/memory/memory-store.js';
import { silentLogger } from '../../util/log.js';
import { createRegistry } from '../index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../types.js';

test('node: keeps the status it registers with; allocatable defaults to capacity; updates keep status', async () => {
  const r = await createRegistry({ store: createMemoryStore(), logger: silentLogger, config: DEFAULT_REGISTRY_CONFIG });
  const node = await r.create('/nodes', undefined, {
    metadata: { name: 'n1' },
    spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] },
    status: { capacity: { cpu: '2', pods: '110' }, addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] },
  });
  assert.deepEqual(node.status, { capacity: { cpu: '2', pods: '110' }, allocatable: { cpu: '2', pods: '110' }, addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] });
  const u = await r.update('/nodes', undefined, 'n1', { ...node, spec: { ...(node.spec as object), unschedulable: true }, status: {} } as never);
  assert.deepEqual((u.status as { addresses: unknown }).addresses, [{ type: 'InternalIP', address: '10.0.0.1' }]);
  assert.equal((u.spec as { unschedulable: boolean }).unschedulable, true);
});
