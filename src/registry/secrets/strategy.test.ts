import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStatusError } from '../../api/errors.js';
import { createMemoryStore } from '../../store/memory/memory-store.js';
import { silentLogger } from '../../util/log.js';
import { createRegistry } from '../index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../types.js';

test('secret: stringData is stored as data and never returned; bad base64 is 400; invalid is 422; immutable holds', async () => {
  const r = await createRegistry({ store: createMemoryStore(), logger: silentLogger, config: DEFAULT_REGISTRY_CONFIG });
  await r.create('/namespaces', undefined, { metadata: { name: 'ns' } });
  const s = await r.create('/secrets', 'ns', { metadata: { name: 's' }, stringData: { password: 'hunter2' } });
  assert.equal(s.type, 'Opaque');
  assert.deepEqual(s.data, { password: Buffer.from('hunter2').toString('base64') });
  assert.equal('stringData' in s, false);
  const read = await r.get('/secrets', 'ns', 's');
  assert.equal('stringData' in read, false);

  const updated = await r.update('/secrets', 'ns', 's', { ...read, stringData: { token: 't' } });
  assert.deepEqual(Object.keys(updated.data as object).sort(), ['password', 'token'], 'an update folds stringData in too');

  await assert.rejects(r.create('/secrets', 'ns', { metadata: { name: 'b' }, data: { a: 'eA' } }), (e: unknown) =>
    isStatusError(e) && e.code === 400 && e.message === 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0',
  );
  await assert.rejects(r.create('/secrets', 'ns', { metadata: { name: 't' }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'x' } }), (e: unknown) =>
    isStatusError(e) && e.code === 422 && e.message === 'Secret "t" is invalid: data[tls.key]: Required value',
  );
  const frozen = await r.create('/secrets', 'ns', { metadata: { name: 'f' }, stringData: { a: '1' }, immutable: true });
  await assert.rejects(r.update('/secrets', 'ns', 'f', { ...frozen, stringData: { a: '2' } }), (e: unknown) =>
    isStatusError(e) && e.message === 'Secret "f" is invalid: data: Forbidden: field is immutable when `immutable` is set',
  );
  await assert.rejects(r.update('/secrets', 'ns', 'f', { ...frozen, type: 'example.com/x' }), (e: unknown) =>
    isStatusError(e) && /type: Invalid value: "example.com\/x": field is immutable/.test(e.message),
  );
});

test('pods: serviceAccountName defaults to "default" on create and the alias mirrors it', async () => {
  const r = await createRegistry({ store: createMemoryStore(), logger: silentLogger, config: DEFAULT_REGISTRY_CONFIG });
  await r.create('/namespaces', undefined, { metadata: { name: 'ns' } });
  const p = await r.create('/pods', 'ns', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  const spec = p.spec as { serviceAccountName?: string; serviceAccount?: string };
  assert.equal(spec.serviceAccountName, 'default');
  assert.equal(spec.serviceAccount, 'default');
});
