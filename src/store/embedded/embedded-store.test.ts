import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runStoreContract } from '../contract.js';
import type { Store } from '../types.js';
import { compactionTarget } from './auto-compaction.js';
import { createEmbeddedStore } from './embedded-store.js';

const dirs: string[] = [];
const dirOf = new WeakMap<Store, string>();
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function open(opts: { recentEvents?: number } = {}): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'kubesvc-store-'));
  dirs.push(dir);
  const s = await createEmbeddedStore({ dir, autoCompaction: false, ...opts });
  dirOf.set(s, dir);
  return s;
}

async function reopen(s: Store): Promise<Store> {
  const dir = dirOf.get(s) as string;
  await s.close();
  const again = await createEmbeddedStore({ dir, autoCompaction: false });
  dirOf.set(again, dir);
  return again;
}

runStoreContract('embedded', () => open(), reopen);
// A tiny in-memory event window forces watches to resume from the on-disk log.
runStoreContract('embedded (watch backlog from disk)', () => open({ recentEvents: 1 }), reopen);

test('a second process-level open of the same directory is refused', async () => {
  const s = await open();
  try {
    await s.txn([], [{ type: 'put', key: '/a', value: '1' }]);
    await assert.rejects(createEmbeddedStore({ dir: dirOf.get(s) as string, autoCompaction: false }), /in use by another process/);
  } finally {
    await s.close();
  }
});

test('txns arriving together are committed as one group, each with its own revision', async () => {
  const s = await open();
  try {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => s.txn([{ key: `/g/${i % 50}`, modRevision: 0 }], [{ type: 'put', key: `/g/${i % 50}`, value: `${i}` }])),
    );
    assert.equal(results.filter((r) => r.succeeded).length, 50);
    assert.deepEqual(
      results.filter((r) => r.succeeded).map((r) => r.revision),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    // The losers saw the winner written earlier in the same group.
    for (const r of results.filter((x) => !x.succeeded)) assert.ok((r.current[0]?.modRevision ?? 0) > 0);
    assert.equal(await s.count('/g/'), 50);
  } finally {
    await s.close();
  }
});

test('compactionTarget keeps the newest revisions and never goes backwards', () => {
  assert.equal(compactionTarget(100, 0, 10), 90);
  assert.equal(compactionTarget(100, 90, 10), null);
  assert.equal(compactionTarget(5, 0, 10), null);
});

test('a write is invisible until its group is committed, then visible to reads and watches', async () => {
  const s = await open();
  try {
    const events: number[] = [];
    const w = s.watch('/v/', { afterRevision: 0, onEvents: (evs) => events.push(...evs.map((e) => e.kv.modRevision)) });
    const pending = s.txn([], [{ type: 'put', key: '/v/a', value: '1' }]);
    assert.equal(await s.get('/v/a'), null);
    assert.equal(await s.currentRevision(), 0);
    assert.equal((await pending).revision, 1);
    assert.equal((await s.get('/v/a'))?.value, '1');
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(events, [1]);
    w.cancel();
  } finally {
    await s.close();
  }
});

test('close commits txns already accepted', async () => {
  let s = await open();
  const dir = dirOf.get(s) as string;
  const pending = s.txn([], [{ type: 'put', key: '/late', value: 'x' }]);
  await s.close();
  assert.equal((await pending).revision, 1);
  s = await createEmbeddedStore({ dir, autoCompaction: false });
  try {
    assert.equal((await s.get('/late'))?.value, 'x');
  } finally {
    await s.close();
  }
});

test('auto-compaction keeps the configured number of revisions', async () => {
  const first = await open();
  const dir = dirOf.get(first) as string;
  await first.close();
  const s = await createEmbeddedStore({ dir, autoCompaction: { intervalMs: 20, keepRevisions: 5 } });
  try {
    for (let i = 0; i < 20; i++) await s.txn([], [{ type: 'put', key: '/ac', value: `${i}` }]);
    const deadline = Date.now() + 3000;
    while ((await s.compactedRevision()) !== 15 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(await s.compactedRevision(), 15);
    await assert.rejects(s.get('/ac', 14), /compacted/);
    assert.equal((await s.get('/ac', 15))?.value, '14');
  } finally {
    await s.close();
  }
});
