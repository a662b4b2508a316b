import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from './index.js';

test('openStore opens the memory backend', async () => {
  const s = await openStore({ backend: 'memory' });
  assert.equal((await s.txn([], [{ type: 'put', key: '/a', value: '1' }])).revision, 1);
  await s.close();
});

test('openStore opens the embedded backend durably in its directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesvc-openstore-'));
  try {
    let s = await openStore({ backend: 'embedded', dir });
    await s.txn([], [{ type: 'put', key: '/a', value: '1' }]);
    await s.close();
    s = await openStore({ backend: 'embedded', dir });
    assert.equal((await s.get('/a'))?.value, '1');
    await s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('openStore refuses etcd for now with a clear message', async () => {
  await assert.rejects(openStore({ backend: 'etcd', endpoints: ['http://127.0.0.1:2379'] }), /etcd store backend is not implemented yet/);
});
