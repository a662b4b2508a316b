// /readyz answers 500 until start-up (registry, bootstrap) is done, then 200; requests made
// meanwhile wait for the registry instead of failing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiServer } from '../../src/apiserver/index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../../src/registry/types.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import { silentLogger } from '../../src/util/log.js';

test('readyz is 500 until bootstrap finished, then 200', async () => {
  const store = createMemoryStore();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const api = createApiServer({
    store,
    logger: silentLogger,
    registryConfig: DEFAULT_REGISTRY_CONFIG,
    // A strategy that is slow to build holds start-up back.
    strategies: { '/configmaps': async () => (await gate, {}) },
  });
  try {
    await api.listen('127.0.0.1', 0);
    const base = `http://127.0.0.1:${api.port()}`;
    const before = await fetch(`${base}/readyz`);
    assert.equal(before.status, 500);
    assert.match(await before.text(), /readyz check failed/);
    assert.equal((await fetch(`${base}/livez`)).status, 200);
    const pending = fetch(`${base}/api/v1/namespaces`);
    release();
    await api.ready;
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    const list = (await (await pending).json()) as { kind: string };
    assert.equal(list.kind, 'NamespaceList');
  } finally {
    release();
    await api.close();
    await store.close();
  }
});
