// DELETE's propagationPolicy through the real registry: the finalizers the garbage collector acts on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from '../store/memory/memory-store.js';
import { silentLogger } from '../util/log.js';
import { createRegistry } from './index.js';
import { DEFAULT_REGISTRY_CONFIG } from './types.js';

async function setup() {
  const store = createMemoryStore();
  const registry = await createRegistry({ store, logger: silentLogger, config: DEFAULT_REGISTRY_CONFIG });
  await registry.create('/namespaces', undefined, { metadata: { name: 'ns' } });
  return { store, registry };
}

test('Foreground and Orphan keep the object with their finalizer and a deletionTimestamp; Background deletes', async () => {
  const { store, registry } = await setup();
  try {
    for (const name of ['fg', 'or', 'bg', 'none']) await registry.create('/configmaps', 'ns', { metadata: { name, finalizers: name === 'none' ? ['example.com/x'] : undefined } });
    const fg = await registry.delete('/configmaps', 'ns', 'fg', { propagationPolicy: 'Foreground' });
    assert.equal(fg.deleted, false);
    assert.deepEqual(fg.object.metadata.finalizers, ['foregroundDeletion']);
    assert.ok(fg.object.metadata.deletionTimestamp);
    const or = await registry.delete('/configmaps', 'ns', 'or', { propagationPolicy: 'Orphan' });
    assert.deepEqual(or.object.metadata.finalizers, ['orphan']);
    assert.equal((await registry.delete('/configmaps', 'ns', 'bg', { propagationPolicy: 'Background' })).deleted, true);
    // No policy keeps what is there; a user finalizer still holds the object.
    const none = await registry.delete('/configmaps', 'ns', 'none', {});
    assert.deepEqual([none.deleted, none.object.metadata.finalizers], [false, ['example.com/x']]);

    // Switching policy on a deleting object swaps the finalizer; Background drops it and deletes.
    const swapped = await registry.delete('/configmaps', 'ns', 'fg', { propagationPolicy: 'Orphan' });
    assert.deepEqual(swapped.object.metadata.finalizers, ['orphan']);
    assert.equal((await registry.delete('/configmaps', 'ns', 'fg', { propagationPolicy: 'Background' })).deleted, true);

    // Removing the GC finalizer (what the collector does) deletes the object.
    const cur = await registry.get('/configmaps', 'ns', 'or');
    await registry.update('/configmaps', 'ns', 'or', { ...cur, metadata: { ...cur.metadata, finalizers: [] } });
    await assert.rejects(registry.get('/configmaps', 'ns', 'or'), { code: 404 });
  } finally {
    await store.close();
  }
});
