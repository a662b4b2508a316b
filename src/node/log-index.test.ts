import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nanoTime, stampLines } from './log-index.js';

test('each line takes the first checkpoint at or past its end; unindexed lines get the fallback', () => {
  const data = Buffer.from('a\nbb\nccc\npartial');
  const lines = stampLines(data, [[2, 100], [9, 200]], 999);
  assert.deepEqual(
    lines.map((l) => [l.text.toString(), l.ms]),
    [['a\n', 100], ['bb\n', 200], ['ccc\n', 200], ['partial', 999]],
  );
  assert.equal(nanoTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), '2026-01-02T03:04:05.678000000Z');
});
