import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SortedKeys } from '../internal/sorted-keys.js';
import type { KV, WatchEvent } from '../types.js';
import { rangeInPast, valuesAtBefore } from './past-view.js';

const kv = (key: string, value: string, rev: number): KV => ({ key, value, createRevision: rev, modRevision: rev });

test('rangeInPast undoes later creates, updates and deletes, in key order with limits', () => {
  // At R=3: /p/a=a1, /p/b=b1, /p/d=d1. After R: /p/b updated, /p/c created, /p/d deleted, /p/a deleted.
  const after: WatchEvent[] = [
    { type: 'put', kv: kv('/p/b', 'b2', 4), prevKv: kv('/p/b', 'b1', 2) },
    { type: 'put', kv: kv('/p/c', 'c1', 5), prevKv: null },
    { type: 'delete', kv: kv('/p/d', 'd1', 6), prevKv: kv('/p/d', 'd1', 3) },
    { type: 'put', kv: kv('/p/b', 'b3', 7), prevKv: kv('/p/b', 'b2', 4) },
    { type: 'delete', kv: kv('/p/a', 'a1', 8), prevKv: kv('/p/a', 'a1', 1) },
  ];
  const index = new Map([
    ['/p/b', kv('/p/b', 'b3', 7)],
    ['/p/c', kv('/p/c', 'c1', 5)],
  ]);
  const keys = new SortedKeys();
  for (const k of index.keys()) keys.add(k);
  const past = valuesAtBefore(after);
  const show = (r: { items: KV[]; remaining: number }) => [r.items.map((x) => `${x.key}=${x.value}`), r.remaining];
  assert.deepEqual(show(rangeInPast(keys, index, past, '/p/', undefined, 0)), [['/p/a=a1', '/p/b=b1', '/p/d=d1'], 0]);
  assert.deepEqual(show(rangeInPast(keys, index, past, '/p/', undefined, 2)), [['/p/a=a1', '/p/b=b1'], 1]);
  assert.deepEqual(show(rangeInPast(keys, index, past, '/p/', '/p/a', 1)), [['/p/b=b1'], 1]);
  assert.deepEqual(show(rangeInPast(keys, index, past, '/p/', '/p/b', 0)), [['/p/d=d1'], 0]);
  assert.deepEqual(show(rangeInPast(keys, index, past, '/q/', undefined, 0)), [[], 0]);
});
