import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from '../../api/errors.js';
import { createMemoryStore } from '../../store/memory/memory-store.js';
import { silentLogger } from '../../util/log.js';
import { createRegistry } from '../index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../types.js';

test('configmap: bad keys are 422; an immutable configmap keeps its data', async () => {
  const r = await createRegistry({ store: createMemoryStore(), logger: silentLogger, config: DEFAULT_REGISTRY_CONFIG });
  await r.create('/namespaces', undefined, { metadata: { name: 'ns' } });
  await assert.rejects(r.create('/configmaps', 'ns', { metadata: { name: 'c' }, data: { '..x': '1' } }), (e: unknown) =>
    isStatusError(e) && e.message === `ConfigMap "c" is invalid: data[..x]: Invalid value: "..x": must not start with '..'`,
  );
  const cm = await r.create('/configmaps', 'ns', { metadata: { name: 'c' }, data: { a: '1' }, immutable: true });
  await assert.rejects(r.update('/configmaps', 'ns', 'c', { ...cm, data: { a: '2' } }), (e: unknown) =>
    isStatusError(e) && e.message === 'ConfigMap "c" is invalid: data: Forbidden: field is immutable when `immutable` is set',
  );
  const labelled = await r.update('/configmaps', 'ns', 'c', { ...cm, metadata: { ...cm.metadata, labels: { x: 'y' } } });
  assert.deepEqual(labelled.data, { a: '1' });
});
