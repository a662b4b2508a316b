import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogIndexer, nanoTime, readIndex, stampLines } from './log-index.js';

test('each line takes the first checkpoint at or past its end; unindexed lines get the fallback', () => {
  const data = Buffer.from('a\nbb\nccc\npartial');
  const lines = stampLines(data, [[2, 100], [9, 200]], 999);
  assert.deepEqual(
    lines.map((l) => [l.text.toString(), l.ms]),
    [['a\n', 100], ['bb\n', 200], ['ccc\n', 200], ['partial', 999]],
  );
  assert.equal(nanoTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), '2026-01-02T03:04:05.678000000Z');
});

test('LogIndexer.tick: a checkpoint per growth, none when unchanged, a new indexer continues from the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ksvc-logidx-'));
  try {
    const f = join(dir, '0.log');
    const ix = new LogIndexer();
    await ix.tick([f], 1); // no log yet: nothing
    writeFileSync(f, 'a\n');
    await ix.tick([f], 2);
    await ix.tick([f], 3); // unchanged
    appendFileSync(f, 'bb\n');
    await ix.tick([f], 4);
    assert.deepEqual(await readIndex(f), [[2, 2], [5, 4]]);
    await new LogIndexer().tick([f], 5); // a restarted agent: same size, nothing new
    appendFileSync(f, 'c\n');
    await new LogIndexer().tick([f], 6);
    assert.deepEqual(await readIndex(f), [[2, 2], [5, 4], [7, 6]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
