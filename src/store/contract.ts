// The one conformance suite every Store backend must pass (habit 9). A backend's test file calls
// runStoreContract with a factory for fresh, empty stores and, for durable backends, a way to close
// and reopen the same store.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CompactedError,
  FutureRevisionError,
  StoreClosedError,
  type KV,
  type Store,
  type Watch,
  type WatchEvent,
} from './types.js';

/** Collects watch batches; `until` resolves once `n` events arrived (or rejects after a timeout). */
class Collector {
  readonly batches: WatchEvent[][] = [];
  error: Error | null = null;
  private waiters: (() => void)[] = [];

  readonly opts = {
    onEvents: (events: WatchEvent[]) => {
      this.batches.push(events);
      this.wake();
    },
    onError: (err: Error) => {
      this.error = err;
      this.wake();
    },
  };

  get events(): WatchEvent[] {
    return this.batches.flat();
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  async until(pred: () => boolean, what: string, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what} (have ${this.events.length} events)`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async untilCount(n: number, ms = 5000): Promise<void> {
    await this.until(() => this.events.length >= n || this.error !== null, `${n} events`, ms);
  }
}

async function put(s: Store, key: string, value: string): Promise<number> {
  const r = await s.txn([], [{ type: 'put', key, value }]);
  assert.equal(r.succeeded, true);
  return r.revision;
}

async function del(s: Store, key: string): Promise<number> {
  const r = await s.txn([], [{ type: 'delete', key }]);
  assert.equal(r.succeeded, true);
  return r.revision;
}

const keysOf = (kvs: KV[]) => kvs.map((kv) => kv.key);
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 20));

export function runStoreContract(
  name: string,
  open: () => Promise<Store>,
  reopen?: (s: Store) => Promise<Store>,
): void {
  /** Runs `fn` against a fresh store and always closes it. */
  const withStore = async (fn: (s: Store) => Promise<void>) => {
    const s = await open();
    try {
      await fn(s);
    } finally {
      await s.close();
    }
  };

  describe(`Store contract: ${name}`, () => {
    test('an empty store is at revision 0 with nothing in it', () =>
      withStore(async (s) => {
        assert.equal(await s.currentRevision(), 0);
        assert.equal(await s.compactedRevision(), 0);
        assert.equal(await s.get('/registry/x'), null);
        assert.deepEqual(await s.range('/'), { items: [], revision: 0, more: false, remaining: 0 });
        assert.equal(await s.count(''), 0);
      }));

    test('revisions strictly increase and are shared by all keys', () =>
      withStore(async (s) => {
        const r1 = await put(s, '/a/1', 'x');
        const r2 = await put(s, '/b/1', 'y');
        const r3 = await put(s, '/a/1', 'z');
        assert.deepEqual([r1, r2, r3], [1, 2, 3]);
        assert.equal(await s.currentRevision(), 3);
        assert.deepEqual(await s.get('/a/1'), { key: '/a/1', value: 'z', createRevision: 1, modRevision: 3 });
        assert.deepEqual(await s.get('/b/1'), { key: '/b/1', value: 'y', createRevision: 2, modRevision: 2 });
      }));

    test('create-if-absent: compare modRevision 0 succeeds once', () =>
      withStore(async (s) => {
        const ok = await s.txn([{ key: '/k', modRevision: 0 }], [{ type: 'put', key: '/k', value: 'first' }]);
        assert.equal(ok.succeeded, true);
        assert.deepEqual(ok.results, [{ key: '/k', value: 'first', createRevision: 1, modRevision: 1 }]);
        const again = await s.txn([{ key: '/k', modRevision: 0 }], [{ type: 'put', key: '/k', value: 'second' }]);
        assert.equal(again.succeeded, false);
        assert.equal(again.revision, 1);
        assert.deepEqual(again.current, [{ key: '/k', value: 'first', createRevision: 1, modRevision: 1 }]);
        assert.equal(await s.currentRevision(), 1);
        assert.equal((await s.get('/k'))?.value, 'first');
      }));

    test('update and delete are guarded by the expected modRevision', () =>
      withStore(async (s) => {
        await put(s, '/k', 'v1');
        const stale = await s.txn([{ key: '/k', modRevision: 7 }], [{ type: 'put', key: '/k', value: 'v2' }]);
        assert.equal(stale.succeeded, false);
        assert.deepEqual(stale.current, [{ key: '/k', value: 'v1', createRevision: 1, modRevision: 1 }]);
        const upd = await s.txn([{ key: '/k', modRevision: 1 }], [{ type: 'put', key: '/k', value: 'v2' }]);
        assert.equal(upd.succeeded, true);
        assert.deepEqual(upd.results, [{ key: '/k', value: 'v2', createRevision: 1, modRevision: 2 }]);

        const staleDel = await s.txn([{ key: '/k', modRevision: 1 }], [{ type: 'delete', key: '/k' }]);
        assert.equal(staleDel.succeeded, false);
        assert.equal(staleDel.current[0]?.modRevision, 2);
        assert.equal((await s.get('/k'))?.value, 'v2');

        const d = await s.txn([{ key: '/k', modRevision: 2 }], [{ type: 'delete', key: '/k' }]);
        assert.equal(d.succeeded, true);
        assert.equal(d.revision, 3);
        // The deleted KV as it was before the delete.
        assert.deepEqual(d.results, [{ key: '/k', value: 'v2', createRevision: 1, modRevision: 2 }]);
        assert.equal(await s.get('/k'), null);

        const missing = await s.txn([{ key: '/k', modRevision: 2 }], [{ type: 'delete', key: '/k' }]);
        assert.equal(missing.succeeded, false);
        assert.deepEqual(missing.current, [null]);
        assert.equal(await s.currentRevision(), 3);
      }));

    test('a key created again after a delete gets a new createRevision', () =>
      withStore(async (s) => {
        await put(s, '/k', 'a');
        await del(s, '/k');
        const r = await s.txn([{ key: '/k', modRevision: 0 }], [{ type: 'put', key: '/k', value: 'b' }]);
        assert.deepEqual(r.results, [{ key: '/k', value: 'b', createRevision: 3, modRevision: 3 }]);
      }));

    test('deleting an absent key writes nothing and does not advance the revision', () =>
      withStore(async (s) => {
        await put(s, '/k', 'a');
        const r = await s.txn([], [{ type: 'delete', key: '/nope' }]);
        assert.deepEqual(r, { succeeded: true, revision: 1, results: [null], current: [] });
        assert.equal(await s.currentRevision(), 1);
      }));

    test('a multi-op txn is atomic and written at one revision', () =>
      withStore(async (s) => {
        await put(s, '/x/gone', 'old');
        const r = await s.txn(
          [
            { key: '/x/a', modRevision: 0 },
            { key: '/x/gone', modRevision: 1 },
          ],
          [
            { type: 'put', key: '/x/a', value: 'A' },
            { type: 'put', key: '/x/b', value: 'B' },
            { type: 'delete', key: '/x/gone' },
          ],
        );
        assert.equal(r.succeeded, true);
        assert.equal(r.revision, 2);
        assert.deepEqual(
          r.results.map((kv) => kv?.modRevision),
          [2, 2, 1],
        );
        const all = await s.range('/x/');
        assert.deepEqual(keysOf(all.items), ['/x/a', '/x/b']);
        assert.ok(all.items.every((kv) => kv.modRevision === 2));

        // One failing compare among several: nothing at all is written.
        const bad = await s.txn(
          [
            { key: '/x/a', modRevision: 2 },
            { key: '/x/b', modRevision: 1 },
          ],
          [
            { type: 'put', key: '/x/a', value: 'A2' },
            { type: 'delete', key: '/x/b' },
            { type: 'put', key: '/x/c', value: 'C' },
          ],
        );
        assert.equal(bad.succeeded, false);
        assert.deepEqual(
          bad.current.map((kv) => kv?.modRevision),
          [2, 2],
        );
        assert.equal(await s.currentRevision(), 2);
        assert.deepEqual(
          (await s.range('/x/')).items.map((kv) => [kv.key, kv.value]),
          [
            ['/x/a', 'A'],
            ['/x/b', 'B'],
          ],
        );
      }));

    test('a txn writing one key twice is rejected', () =>
      withStore(async (s) => {
        await assert.rejects(
          s.txn(
            [],
            [
              { type: 'put', key: '/d', value: '1' },
              { type: 'delete', key: '/d' },
            ],
          ),
          /duplicate key/,
        );
        assert.equal(await s.currentRevision(), 0);
      }));

    test('concurrent txns each get their own revision and compares serialize them', () =>
      withStore(async (s) => {
        const writes = Array.from({ length: 50 }, (_, i) => s.txn([], [{ type: 'put', key: `/c/${i}`, value: `${i}` }]));
        const revs = (await Promise.all(writes)).map((r) => r.revision);
        assert.equal(new Set(revs).size, 50);
        assert.deepEqual(
          [...revs].sort((a, b) => a - b),
          Array.from({ length: 50 }, (_, i) => i + 1),
        );
        // Twenty racing creates of one key: exactly one wins.
        const racers = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            s.txn([{ key: '/race', modRevision: 0 }], [{ type: 'put', key: '/race', value: `${i}` }]),
          ),
        );
        assert.equal(racers.filter((r) => r.succeeded).length, 1);
        assert.equal(await s.currentRevision(), 51);
      }));

    test('range returns keys under the prefix in byte order', () =>
      withStore(async (s) => {
        const keys = ['/r/b', '/r/a', '/r/c/1', '/r/c', '/rx', '/r', '/q/z', '/r/\u00e9', '/r/\uffff', '/r/\u{1f600}', '/r/Z'];
        for (const k of keys) await put(s, k, k);
        const got = keysOf((await s.range('/r/')).items);
        const expected = keys
          .filter((k) => k.startsWith('/r/'))
          .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
        assert.deepEqual(got, expected);
        // The same order and prefix boundaries when reading history (backends may use another path).
        const rev = await put(s, '/r/late', 'x');
        assert.deepEqual(keysOf((await s.range('/r/', { revision: rev - 1 })).items), expected);
        assert.deepEqual(keysOf((await s.range('/r/\u00e9', { revision: rev - 1 })).items), ['/r/\u00e9']);
        await del(s, '/r/late');
        assert.deepEqual(keysOf((await s.range('')).items).length, keys.length);
        assert.equal(await s.count('/r/'), expected.length);
        assert.equal(await s.count('/r'), expected.length + 2);
        assert.equal(await s.count('/none/'), 0);
      }));

    test('range pages with limit and startAfter, reporting more and remaining', () =>
      withStore(async (s) => {
        for (let i = 0; i < 10; i++) await put(s, `/p/${String(i).padStart(2, '0')}`, `${i}`);
        await put(s, '/pz', 'outside');
        const first = await s.range('/p/', { limit: 4 });
        assert.deepEqual(keysOf(first.items), ['/p/00', '/p/01', '/p/02', '/p/03']);
        assert.equal(first.more, true);
        assert.equal(first.remaining, 6);
        assert.equal(first.revision, 11);

        const seen: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await s.range('/p/', { limit: 3, startAfter: after, revision: first.revision });
          seen.push(...keysOf(page.items));
          if (!page.more) {
            assert.equal(page.remaining, 0);
            break;
          }
          after = page.items[page.items.length - 1]?.key;
        }
        assert.deepEqual(seen, Array.from({ length: 10 }, (_, i) => `/p/${String(i).padStart(2, '0')}`));

        const exact = await s.range('/p/', { limit: 10 });
        assert.equal(exact.more, false);
        assert.equal(exact.remaining, 0);
        const tail = await s.range('/p/', { startAfter: '/p/07' });
        assert.deepEqual(keysOf(tail.items), ['/p/08', '/p/09']);
      }));

    test('range and get at an older revision see the state of that revision', () =>
      withStore(async (s) => {
        await put(s, '/h/a', 'a1'); // 1
        await put(s, '/h/b', 'b1'); // 2
        await put(s, '/h/a', 'a2'); // 3
        await del(s, '/h/b'); // 4
        await put(s, '/h/c', 'c1'); // 5
        const at = async (rev: number) => (await s.range('/h/', { revision: rev })).items.map((kv) => `${kv.key}=${kv.value}`);
        assert.deepEqual(await at(1), ['/h/a=a1']);
        assert.deepEqual(await at(2), ['/h/a=a1', '/h/b=b1']);
        assert.deepEqual(await at(3), ['/h/a=a2', '/h/b=b1']);
        assert.deepEqual(await at(4), ['/h/a=a2']);
        assert.deepEqual(await at(5), ['/h/a=a2', '/h/c=c1']);
        assert.equal((await s.range('/h/', { revision: 2 })).revision, 2);
        const paged = await s.range('/h/', { revision: 3, limit: 1 });
        assert.deepEqual([keysOf(paged.items), paged.more, paged.remaining], [['/h/a'], true, 1]);
        assert.deepEqual(await s.get('/h/a', 2), { key: '/h/a', value: 'a1', createRevision: 1, modRevision: 1 });
        assert.equal(await s.get('/h/b', 4), null);
        assert.equal((await s.get('/h/b', 3))?.value, 'b1');
        await assert.rejects(s.range('/h/', { revision: 6 }), FutureRevisionError);
        await assert.rejects(s.get('/h/a', 99), FutureRevisionError);
      }));

    test('watch from a revision delivers exactly the later events, in order, txns together', () =>
      withStore(async (s) => {
        await put(s, '/w/a', '1'); // 1
        await put(s, '/other', 'x'); // 2
        await put(s, '/w/a', '2'); // 3
        await s.txn(
          [],
          [
            { type: 'put', key: '/w/b', value: 'b' },
            { type: 'delete', key: '/w/a' },
            { type: 'put', key: '/other', value: 'y' },
          ],
        ); // 4
        const c = new Collector();
        const w = s.watch('/w/', { afterRevision: 1, ...c.opts });
        try {
          await c.untilCount(3);
          await put(s, '/w/c', 'c'); // 5
          await put(s, '/other', 'z'); // 6
          await del(s, '/w/b'); // 7
          await c.untilCount(5);
          await tick();
          assert.equal(c.error, null);
          assert.deepEqual(
            c.batches.map((b) => b.map((e) => `${e.type}:${e.kv.key}@${e.kv.modRevision}`)),
            [['put:/w/a@3'], ['put:/w/b@4', 'delete:/w/a@4'], ['put:/w/c@5'], ['delete:/w/b@7']],
          );
          const [upd, created, deleted] = [c.events[0], c.events[1], c.events[2]] as WatchEvent[];
          assert.deepEqual(upd.kv, { key: '/w/a', value: '2', createRevision: 1, modRevision: 3 });
          assert.deepEqual(upd.prevKv, { key: '/w/a', value: '1', createRevision: 1, modRevision: 1 });
          assert.equal(created.prevKv, null);
          assert.deepEqual(deleted.kv, { key: '/w/a', value: '2', createRevision: 1, modRevision: 4 });
          assert.deepEqual(deleted.prevKv, { key: '/w/a', value: '2', createRevision: 1, modRevision: 3 });
        } finally {
          w.cancel();
        }
      }));

    test('watch with afterRevision 0 sees only future events; cancel stops delivery', () =>
      withStore(async (s) => {
        await put(s, '/f/old', '1');
        const c = new Collector();
        const w = s.watch('/f/', { afterRevision: 0, ...c.opts });
        await put(s, '/f/new', '2');
        await c.untilCount(1);
        w.cancel();
        await put(s, '/f/later', '3');
        await tick();
        assert.deepEqual(
          c.events.map((e) => e.kv.key),
          ['/f/new'],
        );
      }));

    test('a watch started right after a range at R sees every later write exactly once', () =>
      withStore(async (s) => {
        let stop = false;
        let written = 0;
        const writer = (async () => {
          // Bounded, and yielding to the event loop so a synchronous backend cannot starve the timers.
          while (!stop && written < 5000) {
            await put(s, `/rw/${written % 7}`, `${written}`);
            written++;
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
        })();
        const watches: Watch[] = [];
        const collectors: { from: number; c: Collector }[] = [];
        try {
          for (let i = 0; i < 10; i++) {
            await tick();
            const list = await s.range('/rw/');
            const c = new Collector();
            watches.push(s.watch('/rw/', { afterRevision: list.revision, ...c.opts }));
            collectors.push({ from: list.revision, c });
          }
          await tick();
        } finally {
          stop = true;
          await writer;
        }
        const last = await s.currentRevision();
        try {
          for (const { from, c } of collectors) {
            await c.untilCount(last - from);
            const revs = c.events.map((e) => e.kv.modRevision);
            assert.deepEqual(
              revs,
              Array.from({ length: last - from }, (_, i) => from + 1 + i),
            );
          }
        } finally {
          for (const w of watches) w.cancel();
        }
        assert.ok(written > 10);
      }));

    test('many concurrent watchers all see the same events', () =>
      withStore(async (s) => {
        const cs = Array.from({ length: 100 }, () => new Collector());
        const ws = cs.map((c, i) => s.watch(i % 2 === 0 ? '/m/' : '', { afterRevision: 0, ...c.opts }));
        try {
          await Promise.all(Array.from({ length: 30 }, (_, i) => put(s, `/m/${i}`, `${i}`)));
          for (const c of cs) await c.untilCount(30);
          const expected = Array.from({ length: 30 }, (_, i) => i + 1);
          for (const c of cs) assert.deepEqual(c.events.map((e) => e.kv.modRevision), expected);
        } finally {
          for (const w of ws) w.cancel();
        }
      }));

    test('a watcher that throws is stopped with that error; other watchers go on', () =>
      withStore(async (s) => {
        const good = new Collector();
        let badError: Error | null = null;
        let badCalls = 0;
        const bad = s.watch('/t/', {
          afterRevision: 0,
          onEvents: () => {
            badCalls++;
            throw new Error('boom');
          },
          onError: (err) => (badError = err),
        });
        const ok = s.watch('/t/', { afterRevision: 0, ...good.opts });
        try {
          await put(s, '/t/1', '1');
          await put(s, '/t/2', '2');
          await good.untilCount(2);
          await tick();
          assert.equal(badCalls, 1);
          assert.equal((badError as Error | null)?.message, 'boom');
          assert.equal(good.error, null);
        } finally {
          bad.cancel();
          ok.cancel();
        }
      }));

    test('compaction: older reads and watches fail with CompactedError, latest values stay', () =>
      withStore(async (s) => {
        await put(s, '/k/a', 'a1'); // 1
        await put(s, '/k/b', 'b1'); // 2
        await put(s, '/k/a', 'a2'); // 3
        await del(s, '/k/b'); // 4
        await put(s, '/k/c', 'c1'); // 5
        await put(s, '/k/a', 'a3'); // 6
        await put(s, '/k/d', 'd1'); // 7
        await s.compact(5);
        assert.equal(await s.compactedRevision(), 5);
        await assert.rejects(s.range('/k/', { revision: 4 }), CompactedError);
        await assert.rejects(s.get('/k/a', 3), (err: unknown) => {
          assert.ok(err instanceof CompactedError);
          assert.equal(err.requested, 3);
          assert.equal(err.compacted, 5);
          return true;
        });
        assert.throws(() => s.watch('/k/', { afterRevision: 3, onEvents: () => {} }), CompactedError);
        assert.deepEqual(
          (await s.range('/k/', { revision: 5 })).items.map((kv) => `${kv.key}=${kv.value}`),
          ['/k/a=a2', '/k/c=c1'],
        );
        assert.deepEqual(
          (await s.range('/k/')).items.map((kv) => `${kv.key}=${kv.value}@${kv.createRevision}/${kv.modRevision}`),
          ['/k/a=a3@1/6', '/k/c=c1@5/5', '/k/d=d1@7/7'],
        );
        assert.equal((await s.get('/k/a', 5))?.value, 'a2');

        // Watching from compacted-1 still works: the events from the compacted revision on are kept.
        const c = new Collector();
        const w = s.watch('/k/', { afterRevision: 4, ...c.opts });
        try {
          await c.untilCount(3);
          assert.deepEqual(
            c.events.map((e) => `${e.kv.key}@${e.kv.modRevision}<${e.prevKv?.modRevision ?? '-'}`),
            ['/k/c@5<-', '/k/a@6<3', '/k/d@7<-'],
          );
        } finally {
          w.cancel();
        }
        // The event at the compacted revision keeps its prevKv (an update this time).
        await s.compact(6);
        const c6 = new Collector();
        const w6 = s.watch('/k/', { afterRevision: 5, ...c6.opts });
        try {
          await c6.untilCount(2);
          assert.deepEqual(
            c6.events.map((e) => `${e.kv.key}=${e.kv.value}@${e.kv.modRevision}<${e.prevKv?.value ?? '-'}@${e.prevKv?.modRevision ?? '-'}`),
            ['/k/a=a3@6<a2@3', '/k/d=d1@7<-@-'],
          );
        } finally {
          w6.cancel();
        }
        assert.throws(() => s.watch('/k/', { afterRevision: 4, onEvents: () => {} }), CompactedError);
        // Compacting again at or below is a no-op; beyond the current revision is an error.
        await s.compact(3);
        assert.equal(await s.compactedRevision(), 6);
        await assert.rejects(s.compact(100), FutureRevisionError);
        await s.compact(7);
        assert.equal(await s.count('/k/'), 3);
        assert.equal(await s.currentRevision(), 7);
        assert.equal(await put(s, '/k/e', 'e'), 8);
      }));

    test('closing ends watches with StoreClosedError and later calls fail', async () => {
      const s = await open();
      const c = new Collector();
      s.watch('', { afterRevision: 0, ...c.opts });
      await s.close();
      await c.until(() => c.error !== null, 'watch error');
      assert.ok(c.error instanceof StoreClosedError);
      await assert.rejects(s.get('/x'), StoreClosedError);
      await assert.rejects(s.txn([], [{ type: 'put', key: '/x', value: '1' }]), StoreClosedError);
      await s.close();
    });

    if (reopen !== undefined) {
      test('everything survives a close and reopen', async () => {
        let s = await open();
        try {
          await put(s, '/d/a', 'a1'); // 1
          await put(s, '/d/b', 'b1'); // 2
          await s.txn(
            [],
            [
              { type: 'put', key: '/d/a', value: 'a2' },
              { type: 'put', key: '/d/c', value: 'c1' },
            ],
          ); // 3
          await del(s, '/d/b'); // 4
          await put(s, '/d/e', 'e1'); // 5
          await s.compact(3);
          await del(s, '/d/e'); // 6
          const before = await s.range('');
          s = await reopen(s);
          assert.equal(await s.currentRevision(), 6);
          assert.equal(await s.compactedRevision(), 3);
          assert.deepEqual(await s.range(''), before);
          assert.deepEqual(
            (await s.range('/d/', { revision: 4 })).items.map((kv) => `${kv.key}=${kv.value}`),
            ['/d/a=a2', '/d/c=c1'],
          );
          await assert.rejects(s.range('/d/', { revision: 2 }), CompactedError);
          const c = new Collector();
          const w = s.watch('/d/', { afterRevision: 3, ...c.opts });
          try {
            await c.untilCount(3);
            assert.deepEqual(
              c.events.map((e) => `${e.type}:${e.kv.key}@${e.kv.modRevision}<${e.prevKv?.modRevision ?? '-'}`),
              ['delete:/d/b@4<2', 'put:/d/e@5<-', 'delete:/d/e@6<5'],
            );
          } finally {
            w.cancel();
          }
          // New writes continue above the old counter, even after deleting the newest key.
          const r = await s.txn([{ key: '/d/a', modRevision: 3 }], [{ type: 'put', key: '/d/a', value: 'a3' }]);
          assert.equal(r.succeeded, true);
          assert.equal(r.revision, 7);
          assert.deepEqual(await s.get('/d/a'), { key: '/d/a', value: 'a3', createRevision: 1, modRevision: 7 });
          s = await reopen(s);
          assert.equal(await s.currentRevision(), 7);
          assert.equal((await s.get('/d/a'))?.value, 'a3');
        } finally {
          await s.close();
        }
      });
    }
  });
}
