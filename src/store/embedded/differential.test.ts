// Differential test: a seeded random workload (guarded creates, updates, deletes, multi-op txns,
// paged and historical ranges, compaction, resuming watches) against the embedded backend and the
// memory backend must give identical answers, including after a reopen of the embedded store.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createMemoryStore } from '../memory/memory-store.js';
import type { Op, Store, WatchEvent } from '../types.js';
import { createEmbeddedStore } from './embedded-store.js';

/** mulberry32: small deterministic PRNG so failures reproduce from the seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function outcome(p: Promise<unknown>): Promise<unknown> {
  try {
    return { ok: await p };
  } catch (err) {
    return { err: err instanceof Error ? err.name : String(err) };
  }
}

test('embedded and memory backends agree on a random workload', { timeout: 60_000 }, async () => {
  const seed = 20261121;
  const rand = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const keys = Array.from({ length: 40 }, (_, i) => `/registry/${pick(['pods', 'services'])}/ns${i % 3}/k${i}`);
  const prefixes = ['', '/registry/', '/registry/pods/', '/registry/services/ns1/', '/registry/pods/ns0/k1'];
  const dir = mkdtempSync(join(tmpdir(), 'kubesvc-diff-'));
  const mem = createMemoryStore();
  let emb: Store = await createEmbeddedStore({ dir, recentEvents: 50 });
  try {
    for (let step = 0; step < 1500; step++) {
      const r = rand();
      if (r < 0.6) {
        // A txn guarded on one key's (possibly stale) revision.
        const current = await mem.get(pick(keys));
        const ops: Op[] = [];
        const used = new Set<string>();
        for (let n = 1 + Math.floor(rand() * 3); n > 0; n--) {
          const key = pick(keys);
          if (used.has(key)) continue;
          used.add(key);
          ops.push(rand() < 0.75 ? { type: 'put', key, value: `v${step}-${n}` } : { type: 'delete', key });
        }
        const compares = current === null || rand() < 0.2 ? [{ key: pick(keys), modRevision: rand() < 0.5 ? 0 : 1 }] : [{ key: current.key, modRevision: current.modRevision }];
        const [a, b] = await Promise.all([outcome(mem.txn(compares, ops)), outcome(emb.txn(compares, ops))]);
        assert.deepEqual(b, a, `txn at step ${step} (seed ${seed})`);
      } else if (r < 0.85) {
        const cur = await mem.currentRevision();
        const opts = { revision: rand() < 0.5 ? 0 : Math.floor(rand() * (cur + 2)), limit: Math.floor(rand() * 5), startAfter: rand() < 0.3 ? pick(keys) : undefined };
        const prefix = pick(prefixes);
        assert.deepEqual(await outcome(emb.range(prefix, opts)), await outcome(mem.range(prefix, opts)), `range at step ${step}`);
        const key = pick(keys);
        assert.deepEqual(await outcome(emb.get(key, opts.revision)), await outcome(mem.get(key, opts.revision)), `get at step ${step}`);
        assert.equal(await emb.count(prefix), await mem.count(prefix));
      } else if (r < 0.9) {
        const cur = await mem.currentRevision();
        const to = Math.floor(rand() * (cur + 1));
        assert.deepEqual(await outcome(emb.compact(to)), await outcome(mem.compact(to)), `compact at step ${step}`);
      } else if (r < 0.97) {
        // Resume a watch from a random revision; both must deliver the same batches.
        const cur = await mem.currentRevision();
        const after = Math.floor(rand() * (cur + 1));
        const prefix = pick(prefixes);
        const got: [WatchEvent[][], WatchEvent[][]] = [[], []];
        const start = (s: Store, sink: WatchEvent[][]) => {
          try {
            return s.watch(prefix, { afterRevision: after, onEvents: (e) => sink.push(e) });
          } catch (err) {
            return err instanceof Error ? err.name : String(err);
          }
        };
        const wm = start(mem, got[0]);
        const we = start(emb, got[1]);
        await new Promise((resolve) => setTimeout(resolve, 1));
        assert.equal(typeof we, typeof wm);
        if (typeof wm === 'string') assert.equal(we, wm);
        else if (typeof we !== 'string') {
          wm.cancel();
          we.cancel();
        }
        assert.deepEqual(got[1], got[0], `watch from ${after} under ${prefix} at step ${step}`);
      } else {
        emb = await (async () => {
          await emb.close();
          return createEmbeddedStore({ dir, recentEvents: 50 });
        })();
      }
    }
    assert.deepEqual(await emb.range(''), await mem.range(''));
    assert.equal(await emb.currentRevision(), await mem.currentRevision());
    assert.equal(await emb.compactedRevision(), await mem.compactedRevision());
  } finally {
    await emb.close();
    await mem.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
