// The WriteContext contract between the generic registry and a kind's allocation hooks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from '../store/memory/memory-store.js';
import { silentLogger } from '../util/log.js';
import { createRegistry } from './index.js';
import type { Strategy, TxnExtras, WriteContext } from './types.js';
import { DEFAULT_REGISTRY_CONFIG } from './types.js';

interface Calls {
  hook: number;
  commit: number;
  abort: number;
  dryRuns: boolean[];
}

/** A strategy that allocates "/alloc/<n>" keys for each object, like the Service IP allocator. */
function allocating(calls: Calls): Strategy {
  let next = 1;
  const take = async (obj: { metadata?: { annotations?: Record<string, string> } }, ctx: WriteContext): Promise<TxnExtras> => {
    calls.hook++;
    calls.dryRuns.push(ctx.dryRun);
    const n = next++;
    obj.metadata = { ...obj.metadata, annotations: { slot: String(n) } };
    ctx.onCommit(() => calls.commit++);
    ctx.onAbort(() => calls.abort++);
    return { compares: [{ key: `/alloc/${n}`, modRevision: 0 }], ops: [{ type: 'put', key: `/alloc/${n}`, value: 'x' }] };
  };
  return {
    beforeCreate: take,
    beforeDelete: async (old, ctx) => {
      calls.hook++;
      ctx.onCommit(() => calls.commit++);
      ctx.onAbort(() => calls.abort++);
      const slot = old.metadata?.annotations?.slot;
      return { compares: [], ops: [{ type: 'delete', key: `/alloc/${slot}` }] };
    },
  };
}

async function setup() {
  const store = createMemoryStore();
  const calls: Calls = { hook: 0, commit: 0, abort: 0, dryRuns: [] };
  const registry = await createRegistry({
    store,
    logger: silentLogger,
    config: DEFAULT_REGISTRY_CONFIG,
    strategies: { '/configmaps': () => allocating(calls) },
  });
  await registry.create('/namespaces', undefined, { metadata: { name: 'ns' } });
  return { store, calls, registry };
}

test('a failed extra compare aborts and calls the hook again; the object commits with its extras', async () => {
  const { store, calls, registry } = await setup();
  try {
    await store.txn([], [{ type: 'put', key: '/alloc/1', value: 'taken' }]);
    const obj = await registry.create('/configmaps', 'ns', { metadata: { name: 'a' } });
    assert.equal(obj.metadata.annotations?.slot, '2');
    assert.deepEqual([calls.hook, calls.abort, calls.commit], [2, 1, 1]);
    const alloc = await store.get('/alloc/2');
    assert.equal(alloc?.modRevision, Number(obj.metadata.resourceVersion));
  } finally {
    await store.close();
  }
});

test('dry-run runs the hook with dryRun=true, aborts it, and writes nothing', async () => {
  const { store, calls, registry } = await setup();
  try {
    const rev = await store.currentRevision();
    await registry.create('/configmaps', 'ns', { metadata: { name: 'd' } }, { dryRun: true });
    assert.deepEqual(calls.dryRuns, [true]);
    assert.deepEqual([calls.abort, calls.commit], [1, 0]);
    assert.equal(await store.currentRevision(), rev);
  } finally {
    await store.close();
  }
});

test('AlreadyExists aborts the allocation', async () => {
  const { store, calls, registry } = await setup();
  try {
    await registry.create('/configmaps', 'ns', { metadata: { name: 'x' } });
    await assert.rejects(registry.create('/configmaps', 'ns', { metadata: { name: 'x' } }), { reason: 'AlreadyExists' });
    assert.deepEqual([calls.commit, calls.abort], [1, 1]);
  } finally {
    await store.close();
  }
});

test('delete commits the release together with the object removal', async () => {
  const { store, calls, registry } = await setup();
  try {
    const o = await registry.create('/configmaps', 'ns', { metadata: { name: 'r' } });
    assert.ok(await store.get(`/alloc/${o.metadata.annotations?.slot}`));
    await registry.delete('/configmaps', 'ns', 'r');
    assert.equal(await store.get(`/alloc/${o.metadata.annotations?.slot}`), null);
    assert.equal(calls.commit, 2);
  } finally {
    await store.close();
  }
});

test('a spec change the strategy reverts is a no-op: no write, no generation bump', async () => {
  const store = createMemoryStore();
  try {
    const registry = await createRegistry({
      store,
      logger: silentLogger,
      config: DEFAULT_REGISTRY_CONFIG,
      strategies: {
        // Like a kind whose spec.locked may not change through a plain update.
        'apps/deployments': () => ({
          prepareForUpdate(obj, old) {
            obj.spec = { ...(obj.spec as object), locked: (old.spec as { locked?: string } | undefined)?.locked };
          },
        }),
      },
    });
    await registry.create('/namespaces', undefined, { metadata: { name: 'ns' } });
    const c = await registry.create('apps/deployments', 'ns', { metadata: { name: 'g' }, spec: { locked: 'a' } });
    assert.equal(c.metadata.generation, 1);
    const u = await registry.update('apps/deployments', 'ns', 'g', { ...c, spec: { locked: 'b' } });
    assert.equal(u.metadata.resourceVersion, c.metadata.resourceVersion);
    assert.equal(u.metadata.generation, 1);
    const v = await registry.update('apps/deployments', 'ns', 'g', { ...c, spec: { locked: 'a', other: 1 } });
    assert.equal(v.metadata.generation, 2);
  } finally {
    await store.close();
  }
});
