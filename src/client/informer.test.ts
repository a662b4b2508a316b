// Unit tests of the informer's state machine with a scripted ResourceClient and a fake clock:
// backoff timing, 410 handling, resumption, tombstones, resync and shutdown, deterministically.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { StatusError } from '../api/errors.js';
import { RESOURCES } from '../api/resources.js';
import type { ResourceClient } from './client.js';
import { FakeClock } from './clock.js';
import { createInformer, isTombstone, type EventHandlers } from './informer.js';
import type { ListResult, WatchHandlers, WatchOptions } from './transport.js';

const CM = RESOURCES.find((r) => r.plural === 'configmaps')!;
const tick = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};

function cm(name: string, rv: string, v = ''): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', resourceVersion: rv }, data: { v } };
}

interface OpenWatch {
  opts: WatchOptions;
  h: WatchHandlers<ConfigMap>;
  stopped: boolean;
}

/** A scripted API: `lists` answers list calls in order (an Error is thrown); watches are recorded. */
function fakeClient(lists: (ListResult<ConfigMap> | Error)[], refuseWatches: (Error | undefined)[] = []) {
  const watches: OpenWatch[] = [];
  let listCalls = 0;
  const client = {
    resource: CM,
    async listAll() {
      listCalls++;
      const next = lists.length > 1 ? lists.shift()! : lists[0];
      if (next instanceof Error) throw next;
      return structuredClone(next);
    },
    async watch(opts: WatchOptions, h: WatchHandlers<ConfigMap>) {
      const refusal = refuseWatches.shift();
      if (refusal) throw refusal;
      const w: OpenWatch = { opts, h, stopped: false };
      watches.push(w);
      return { stop: () => (w.stopped = true) };
    },
  } as unknown as ResourceClient<ConfigMap>;
  return { client, watches, listCalls: () => listCalls };
}

function recorder() {
  const seen: string[] = [];
  const h: EventHandlers<ConfigMap> = {
    onAdd: (o, initial) => seen.push(`add ${o.metadata?.name}${initial ? ' initial' : ''}`),
    onUpdate: (a, b) => seen.push(`update ${b.metadata?.name} ${a.metadata?.resourceVersion}->${b.metadata?.resourceVersion}`),
    onDelete: (o) => seen.push(isTombstone(o) ? `tombstone ${o.key}` : `delete ${o.metadata?.name}`),
  };
  return { seen, h };
}

const gone = new StatusError(410, 'Expired', 'too old resource version: 5 (9)');

test('lists, then watches from the list resourceVersion with bookmarks; events move the resourceVersion', async () => {
  const f = fakeClient([{ items: [cm('a', '3')], resourceVersion: '5' }]);
  const inf = createInformer({ client: f.client, clock: new FakeClock(), watchTimeoutSeconds: () => 42 });
  const r = recorder();
  inf.addEventHandler(r.h);
  inf.start();
  await inf.waitForSync();
  await tick();
  assert.equal(f.watches.length, 1);
  assert.equal(f.watches[0].opts.resourceVersion, '5');
  assert.equal(f.watches[0].opts.allowWatchBookmarks, true);
  assert.equal(f.watches[0].opts.timeoutSeconds, 42);
  f.watches[0].h.onEvent({ type: 'MODIFIED', object: cm('a', '6', 'x') });
  f.watches[0].h.onEvent({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } as ConfigMap });
  assert.equal(inf.lastSyncResourceVersion(), '9');
  assert.deepEqual(r.seen, ['add a initial', 'update a 3->6']);
  inf.stop();
  assert.equal(f.watches[0].stopped, true);
});

test('a clean end after a healthy run resumes the watch from the last resourceVersion without relisting', async () => {
  const clock = new FakeClock();
  const f = fakeClient([{ items: [], resourceVersion: '5' }]);
  const inf = createInformer({ client: f.client, clock });
  inf.start();
  await inf.waitForSync();
  await tick();
  f.watches[0].h.onEvent({ type: 'ADDED', object: cm('a', '7') });
  clock.advance(60_000);
  f.watches[0].h.onEnd();
  await tick();
  assert.equal(f.watches.length, 2);
  assert.equal(f.watches[1].opts.resourceVersion, '7');
  assert.equal(f.listCalls(), 1);
  inf.stop();
});

test('410 from the watch (ERROR event or refused watch) relists at once; vanished objects become tombstones', async () => {
  const clock = new FakeClock();
  const f = fakeClient(
    [
      { items: [cm('a', '3'), cm('b', '4')], resourceVersion: '5' },
      { items: [cm('b', '8')], resourceVersion: '10' },
      { items: [cm('b', '8'), cm('c', '11')], resourceVersion: '12' },
    ],
    [undefined, gone],
  );
  const inf = createInformer({ client: f.client, clock });
  const r = recorder();
  inf.addEventHandler(r.h);
  inf.start();
  await inf.waitForSync();
  await tick();
  f.watches[0].h.onEvent({ type: 'ERROR', object: gone.toStatus() as unknown as ConfigMap });
  await tick();
  assert.equal(f.watches[0].stopped, true);
  // The second list led to a watch the server refused with 410: a third list, with no backoff wait.
  assert.equal(f.listCalls(), 3);
  assert.deepEqual(r.seen, ['add a initial', 'add b initial', 'update b 4->8', 'tombstone ns/a', 'add c']);
  assert.equal(f.watches.length, 2);
  assert.equal(f.watches[1].opts.resourceVersion, '12');
  // Late callbacks from an abandoned watch change nothing.
  f.watches[0].h.onEvent({ type: 'DELETED', object: cm('b', '13') });
  f.watches[0].h.onEnd(new Error('late'));
  await tick();
  assert.equal(inf.indexer.size, 2);
  assert.equal(f.listCalls(), 3);
  inf.stop();
});

test('failures back off exponentially with jitter up to the cap, and a healthy watch resets the backoff', async () => {
  const clock = new FakeClock();
  const down = new Error('connect ECONNREFUSED 127.0.0.1:6443');
  const f = fakeClient([down, down, down, down, down, { items: [], resourceVersion: '5' }]);
  const inf = createInformer({ client: f.client, clock, backoff: { initialMs: 100, maxMs: 1000, jitter: 0.5, random: () => 0.5 } });
  inf.start();
  await tick();
  const delays: number[] = [];
  for (let attempt = 2; attempt <= 6; attempt++) {
    let waited = 0;
    while (f.listCalls() < attempt) {
      clock.advance(1);
      waited++;
      await tick();
      assert.ok(waited < 5000, 'retry came');
    }
    delays.push(waited);
  }
  // 100·1.25, 200·1.25, 400·1.25, 800·1.25, then the 1000 cap (jitter included).
  assert.deepEqual(delays, [125, 250, 500, 1000, 1000]);
  assert.equal(inf.hasSynced(), true);
  // A watch that ran long and then broke starts again from the first step.
  clock.advance(20_000);
  f.watches[0].h.onEnd(new Error('socket hang up'));
  const before = f.listCalls();
  clock.advance(124);
  await tick();
  assert.equal(f.listCalls(), before);
  clock.advance(1);
  await tick();
  assert.equal(f.listCalls(), before + 1);
  inf.stop();
});

test('a handler that throws is isolated; removed handlers hear nothing more', async () => {
  const f = fakeClient([{ items: [], resourceVersion: '1' }]);
  const inf = createInformer({ client: f.client, clock: new FakeClock() });
  const reg = inf.addEventHandler({
    onAdd: () => {
      throw new Error('handler bug');
    },
  });
  inf.addEventHandler({
    onAdd: async () => {
      throw new Error('async handler bug');
    },
  });
  const r = recorder();
  inf.addEventHandler(r.h);
  inf.start();
  await inf.waitForSync();
  await tick();
  f.watches[0].h.onEvent({ type: 'ADDED', object: cm('a', '2') });
  await tick();
  reg.remove();
  f.watches[0].h.onEvent({ type: 'DELETED', object: cm('a', '3') });
  assert.deepEqual(r.seen, ['add a', 'delete a']);
  assert.equal(inf.indexer.size, 0);
  inf.stop();
});

test('periodic resync calls onUpdate(obj, obj) for every cached object', async () => {
  const clock = new FakeClock();
  const f = fakeClient([{ items: [cm('a', '3')], resourceVersion: '3' }]);
  const inf = createInformer({ client: f.client, clock, resyncPeriodMs: 1000 });
  const r = recorder();
  inf.addEventHandler(r.h);
  inf.start();
  await inf.waitForSync();
  clock.advance(1000);
  clock.advance(1000);
  assert.deepEqual(r.seen, ['add a initial', 'update a 3->3', 'update a 3->3']);
  inf.stop();
  clock.advance(5000);
  assert.equal(r.seen.length, 3);
  assert.equal(clock.timers, 0, 'stop leaves no timers behind');
});

test('waitForSync rejects when stopped or aborted before the first list', async () => {
  const f = fakeClient([new Error('down')]);
  const inf = createInformer({ client: f.client, clock: new FakeClock() });
  inf.start();
  const ac = new AbortController();
  const aborted = inf.waitForSync(ac.signal);
  ac.abort(new Error('gave up'));
  await assert.rejects(aborted, /gave up/);
  const stopped = inf.waitForSync();
  inf.stop();
  await assert.rejects(stopped, /stopped before it synced/);
  assert.equal(inf.hasSynced(), false);
});
