import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from '../../api/errors.js';
import { createMemoryStore } from '../../store/memory/memory-store.js';
import { silentLogger } from '../../util/log.js';
import { createRegistry } from '../index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../types.js';

const registry = () => createRegistry({ store: createMemoryStore(), logger: silentLogger, config: DEFAULT_REGISTRY_CONFIG });

test('kubectl create namespace: Active, finalizer kubernetes, name label', async () => {
  const r = await registry();
  const ns = await r.create('/namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' }, spec: {}, status: {} });
  assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(ns.status, { phase: 'Active' });
  assert.deepEqual(ns.metadata.labels, { 'kubernetes.io/metadata.name': 'team-a' });
});

test('an update cannot drop the kubernetes finalizer or change status; bad finalizers are 422', async () => {
  const r = await registry();
  const ns = await r.create('/namespaces', undefined, { metadata: { name: 'b', labels: { a: '1' } } });
  const u = await r.update('/namespaces', undefined, 'b', { ...ns, spec: { finalizers: [] }, status: { phase: 'Terminating' } } as never);
  assert.deepEqual(u.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(u.status, { phase: 'Active' });
  assert.equal(u.metadata.labels?.['kubernetes.io/metadata.name'], 'b');
  await assert.rejects(
    r.create('/namespaces', undefined, { metadata: { name: 'c' }, spec: { finalizers: ['foo'] } }),
    (e: unknown) => isStatusError(e) && e.message === 'Namespace "c" is invalid: spec.finalizers[0]: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified',
  );
});
