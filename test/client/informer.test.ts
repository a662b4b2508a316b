// Informers against a real API server over both transports: ordered delivery, listers and
// indexes, isolation from throwing handlers; over HTTP also an API server restart and a relist
// after compaction (nothing missed, deletes during the outage arrive as tombstones).
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { createInformer, deletedObject, isTombstone, type DeletedFinalStateUnknown, type Informer } from '../../src/client/informer.js';
import { SharedInformerFactory } from '../../src/client/factory.js';
import { CONFIGMAPS, NAMESPACES } from '../../src/client/kinds.js';
import { createLogger } from '../../src/util/log.js';
import { eventually, startCluster, TRANSPORTS, type Cluster } from './harness.js';

type Seen = string[];

function record(inf: Informer<ConfigMap>, seen: Seen, tombstones: DeletedFinalStateUnknown<ConfigMap>[] = []): void {
  inf.addEventHandler({
    onAdd: (o, initial) => seen.push(`add ${o.metadata?.namespace}/${o.metadata?.name}${initial ? ' (initial)' : ''}`),
    onUpdate: (old, cur) => seen.push(`update ${cur.metadata?.name} ${JSON.stringify(old.data ?? {})}->${JSON.stringify(cur.data ?? {})}`),
    onDelete: (o) => {
      if (isTombstone(o)) tombstones.push(o);
      seen.push(`delete ${deletedObject(o).metadata?.name}${isTombstone(o) ? ' (tombstone)' : ''}`);
    },
  });
}

const fast = { initialMs: 10, maxMs: 100, jitter: 0 };

for (const transport of TRANSPORTS) {
  describe(`informer over ${transport}`, () => {
    let c: Cluster;
    const informers: Informer<ConfigMap>[] = [];
    before(async () => {
      c = await startCluster(transport);
      for (const name of ['inf-a', 'inf-b']) await c.client.resource(NAMESPACES).create(undefined, { metadata: { name } });
    });
    afterEach(() => {
      for (const i of informers.splice(0)) i.stop();
    });
    after(async () => {
      await c.close();
    });

    test('syncs the existing objects, then sees creates, updates and deletes in order', async () => {
      const cms = c.client.resource(CONFIGMAPS);
      await cms.create('inf-a', { metadata: { name: 'pre', labels: { app: 'x' } }, data: { v: '0' } });
      const inf = createInformer({ client: cms, namespace: 'inf-a', backoff: fast, indexers: { byApp: (o) => (o.metadata?.labels?.app ? [o.metadata.labels.app] : []) } });
      informers.push(inf);
      const seen: Seen = [];
      record(inf, seen);
      assert.equal(inf.hasSynced(), false);
      inf.start();
      await inf.waitForSync();
      assert.equal(inf.hasSynced(), true);
      assert.deepEqual(seen, ['add inf-a/pre (initial)']);

      const a = await cms.create('inf-a', { metadata: { name: 'a', labels: { app: 'y' } }, data: { v: '1' } });
      await cms.update('inf-a', { ...a, data: { v: '2' } });
      await cms.create('inf-b', { metadata: { name: 'other-namespace' } });
      await cms.delete('inf-a', 'a');
      await cms.create('inf-a', { metadata: { name: 'b', labels: { app: 'x' } } });
      await eventually(() => seen.length >= 5, 10000, 'five events');
      assert.deepEqual(seen, ['add inf-a/pre (initial)', 'add inf-a/a', 'update a {"v":"1"}->{"v":"2"}', 'delete a', 'add inf-a/b']);

      assert.deepEqual(inf.lister.list('inf-a').map((o) => o.metadata?.name).sort(), ['b', 'pre']);
      assert.deepEqual(inf.lister.list(undefined, 'app=x').map((o) => o.metadata?.name).sort(), ['b', 'pre']);
      assert.equal(inf.lister.get('inf-a', 'pre')?.data?.v, '0');
      assert.equal(inf.lister.get('inf-a', 'a'), undefined);
      assert.deepEqual(inf.lister.byIndex('byApp', 'x').map((o) => o.metadata?.name).sort(), ['b', 'pre']);
      assert.ok(Number(inf.lastSyncResourceVersion()) > 0);
      // The cache is shared: changing an object from it must fail loudly, not corrupt it.
      const cached = inf.lister.get('inf-a', 'pre') as ConfigMap;
      assert.throws(() => {
        (cached.data as Record<string, string>).v = 'mutated';
      }, TypeError);
    });

    test('under concurrent writes every object sees increasing resourceVersions and the cache ends equal to a fresh list', async () => {
      const cms = c.client.resource(CONFIGMAPS);
      await c.client.resource(NAMESPACES).create(undefined, { metadata: { name: `busy-${transport}` } });
      const ns = `busy-${transport}`;
      const inf = createInformer({ client: cms, namespace: ns, backoff: fast });
      informers.push(inf);
      const lastRv = new Map<string, number>();
      let regressions = 0;
      const note = (o: ConfigMap) => {
        const rv = Number(o.metadata?.resourceVersion);
        const name = o.metadata?.name ?? '';
        if (rv <= (lastRv.get(name) ?? 0)) regressions++;
        lastRv.set(name, rv);
      };
      inf.addEventHandler({ onAdd: note, onUpdate: (_o, n) => note(n), onDelete: (o) => note(deletedObject(o)) });
      inf.start();
      await inf.waitForSync();
      // Eight writers, each creating, updating and sometimes deleting its own objects.
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let i = 0; i < 6; i++) {
            const name = `w${w}-${i}`;
            const o = await cms.create(ns, { metadata: { name }, data: { n: '0' } });
            const u = await cms.update(ns, { ...o, data: { n: '1' } });
            if (i % 2 === 0) await cms.delete(ns, name);
            else await cms.update(ns, { ...u, data: { n: '2' } });
          }
        }),
      );
      const truth = await cms.list({ namespace: ns });
      const want = truth.items.map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`).sort();
      await eventually(
        () => JSON.stringify(inf.lister.list(ns).map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`).sort()) === JSON.stringify(want),
        10000,
        'cache equal to the server',
      );
      assert.equal(want.length, 24);
      assert.equal(regressions, 0);
      assert.ok(inf.lister.list(ns).every((o) => o.data?.n === '2'));
    });

    test('a handler that throws neither stops the informer nor the other handlers', async () => {
      const cms = c.client.resource(CONFIGMAPS);
      const lines: string[] = [];
      const inf = createInformer({ client: cms, namespace: 'inf-b', backoff: fast, logger: createLogger({ sink: (l) => lines.push(l) }) });
      informers.push(inf);
      inf.addEventHandler({
        onAdd: () => {
          throw new Error('boom');
        },
        onUpdate: () => {
          throw new Error('boom');
        },
      });
      const seen: Seen = [];
      record(inf, seen);
      inf.start();
      await inf.waitForSync();
      const x = await cms.create('inf-b', { metadata: { name: 'x' }, data: { v: '1' } });
      await cms.update('inf-b', { ...x, data: { v: '2' } });
      await cms.delete('inf-b', 'x');
      await eventually(() => seen.includes('delete x'), 10000, 'delete x');
      assert.deepEqual(seen.slice(-3), ['add inf-b/x', 'update x {"v":"1"}->{"v":"2"}', 'delete x']);
      assert.ok(lines.some((l) => l.includes('event handler failed') && l.includes('boom')));
    });

    test('a shared factory hands out one informer per resource and a late handler gets a replay', async () => {
      const factory = new SharedInformerFactory(c.client, { namespace: 'inf-a', backoff: fast });
      const one = factory.informerFor(CONFIGMAPS);
      const two = factory.informerFor(CONFIGMAPS, { indexers: { byName: (o) => [o.metadata?.name ?? ''] } });
      assert.equal(one, two);
      factory.start();
      await factory.waitForCacheSync();
      const seen: Seen = [];
      record(one, seen);
      assert.ok(seen.length > 0 && seen.every((s) => s.endsWith('(initial)')));
      assert.equal(one.lister.byIndex('byName', 'pre').length, 1);
      factory.stop();
    });
  });
}

describe('informer over http: outages and compaction', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster('http');
    await c.client.resource(NAMESPACES).create(undefined, { metadata: { name: 'outage' } });
  });
  after(async () => {
    await c.close();
  });

  test('survives an API server restart; deletes made while it was down arrive as tombstones', async () => {
    const cms = c.client.resource(CONFIGMAPS);
    await cms.create('outage', { metadata: { name: 'keep' } });
    await cms.create('outage', { metadata: { name: 'doomed' }, data: { last: 'state' } });
    const inf = createInformer({ client: cms, namespace: 'outage', backoff: fast });
    const seen: Seen = [];
    const tombstones: DeletedFinalStateUnknown<ConfigMap>[] = [];
    record(inf, seen, tombstones);
    inf.start();
    try {
      await inf.waitForSync();
      await c.stopServer();
      // Writes while the HTTP server is down go straight to the registry, then history is compacted.
      await c.api.registry.delete(CONFIGMAPS.info, 'outage', 'doomed');
      await c.api.registry.create(CONFIGMAPS.info, 'outage', { metadata: { name: 'born-offline' } });
      await c.store.compact(await c.store.currentRevision());
      await new Promise((r) => setTimeout(r, 150));
      await c.startServer();
      await eventually(() => seen.includes('add outage/born-offline') && seen.includes('delete doomed (tombstone)'), 10000, 'relist after restart');
      assert.equal(tombstones[0].key, 'outage/doomed');
      assert.equal(tombstones[0].obj.data?.last, 'state');
      assert.deepEqual(inf.lister.list('outage').map((o) => o.metadata?.name).sort(), ['born-offline', 'keep']);
      // And the new watch is live.
      await cms.create('outage', { metadata: { name: 'after-restart' } });
      await eventually(() => seen.includes('add outage/after-restart'), 10000, 'event after restart');
    } finally {
      inf.stop();
    }
  });

  test('relists on 410 when the watch resumes from a compacted resourceVersion, and converges', async () => {
    const cms = c.client.resource(CONFIGMAPS);
    await c.client.resource(NAMESPACES).create(undefined, { metadata: { name: 'quiet' } });
    await cms.create('quiet', { metadata: { name: 'q1' } });
    const lines: string[] = [];
    // The server ends each watch after 1 s; the informer then resumes from its last resourceVersion,
    // which only moves with events in "quiet" (bookmarks come each minute), so it falls behind.
    const inf = createInformer({
      client: cms,
      namespace: 'quiet',
      backoff: fast,
      watchTimeoutSeconds: () => 1,
      logger: createLogger({ level: 'debug', sink: (l) => lines.push(l) }),
    });
    const seen: Seen = [];
    record(inf, seen);
    inf.start();
    try {
      await inf.waitForSync();
      const behind = inf.lastSyncResourceVersion();
      for (let i = 0; i < 3; i++) await cms.create('outage', { metadata: { name: `noise-${i}` } });
      await c.store.compact(await c.store.currentRevision());
      await eventually(() => lines.some((l) => l.includes('watch history is gone')), 10000, 'a 410 on resuming the watch');
      await eventually(() => Number(inf.lastSyncResourceVersion()) > Number(behind), 10000, 'relisted resourceVersion');
      await cms.delete('quiet', 'q1');
      await eventually(() => seen.includes('delete q1'), 10000, 'delete after relist');
      assert.deepEqual(inf.lister.list('quiet'), []);
      assert.deepEqual(seen, ['add quiet/q1 (initial)', 'delete q1']);
    } finally {
      inf.stop();
    }
  });
});
