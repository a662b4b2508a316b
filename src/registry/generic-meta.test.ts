import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonical, sameJson } from './generic-meta.js';

test('sameJson agrees with comparing canonical() forms', () => {
  const values: unknown[] = [
    null,
    undefined,
    0,
    1,
    '1',
    '',
    true,
    false,
    [],
    {},
    [1, 2],
    [2, 1],
    [null],
    [undefined],
    [1, [2, { a: 1 }]],
    { a: 1 },
    { a: 1, b: undefined },
    { a: null },
    { b: 2, a: 1 },
    { a: 1, b: 2 },
    { a: { b: [1, { c: 'x' }] } },
    { a: { b: [1, { c: 'y' }] } },
    { a: { b: [1, { c: 'x', d: undefined }] } },
    { a: [] },
    { a: {} },
    { metadata: { name: 'web-1', labels: { app: 'web' } }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
    { status: { conditions: [{ status: 'True', type: 'Ready' }], phase: 'Running' }, metadata: { labels: { app: 'web' }, name: 'web-1' } },
    { metadata: { name: 'web-1', labels: { app: 'web' } }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] } },
  ];
  for (const a of values) {
    for (const b of values) {
      assert.equal(sameJson(a, b), canonical(a) === canonical(b), `${canonical(a)} vs ${canonical(b)}`);
    }
  }
});
