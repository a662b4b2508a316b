import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryStore } from '../store/memory/memory-store.js';
import { silentLogger } from '../util/log.js';
import { startCompactor } from './compactor.js';

async function put(store: ReturnType<typeof createMemoryStore>, n: number) {
  for (let i = 0; i < n; i++) await store.txn([], [{ type: 'put', key: `/k/${i}`, value: String(i) }]);
}

test('each tick compacts to the revision the previous tick saw, never to the newest', async () => {
  const store = createMemoryStore();
  // An hour-long interval: the test drives the ticks itself.
  const c = startCompactor(store, 3_600_000, silentLogger);
  try {
    await put(store, 5);
    await c.tick(); // remembers 5, compacts nothing
    assert.equal(await store.compactedRevision(), 0);
    await put(store, 5); // now at 10
    await c.tick(); // compacts to 5, remembers 10
    assert.equal(await store.compactedRevision(), 5);
    await c.tick(); // compacts to 10
    assert.equal(await store.compactedRevision(), 10);
    await c.tick(); // nothing new: no error, no change
    assert.equal(await store.compactedRevision(), 10);
    // The latest value of every key stays readable.
    assert.equal((await store.range('/k/')).items.length, 5);
  } finally {
    c.stop();
    await store.close();
  }
});

test('interval 0 never compacts', async () => {
  const store = createMemoryStore();
  await put(store, 3);
  const c = startCompactor(store, 0, silentLogger);
  await c.tick();
  await c.tick();
  assert.equal(await store.compactedRevision(), 0);
  c.stop();
  await store.close();
});
