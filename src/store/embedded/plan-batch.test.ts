import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KV } from '../types.js';
import { planBatch } from './plan-batch.js';

const existing: KV = { key: '/a', value: 'old', createRevision: 3, modRevision: 9 };
const latest = (key: string) => (key === '/a' ? existing : null);

test('a batch behaves like its txns run one after another', () => {
  const plan = planBatch(
    [
      { compares: [{ key: '/b', modRevision: 0 }], ops: [{ type: 'put', key: '/b', value: 'b1' }] },
      // Sees /b from the txn before it, so this create loses.
      { compares: [{ key: '/b', modRevision: 0 }], ops: [{ type: 'put', key: '/b', value: 'b2' }] },
      { compares: [{ key: '/a', modRevision: 9 }], ops: [{ type: 'delete', key: '/a' }, { type: 'delete', key: '/none' }] },
      { compares: [], ops: [{ type: 'delete', key: '/a' }] },
    ],
    10,
    latest,
  );
  assert.equal(plan.revision, 12);
  assert.deepEqual(
    plan.outcomes.map((o) => [o.succeeded, o.revision]),
    [
      [true, 11],
      [false, 11],
      [true, 12],
      [true, 12],
    ],
  );
  assert.deepEqual(plan.outcomes[1]?.current, [{ key: '/b', value: 'b1', createRevision: 11, modRevision: 11 }]);
  assert.deepEqual(plan.outcomes[2]?.results, [existing, null]);
  assert.deepEqual(plan.outcomes[3]?.results, [null]);
  assert.deepEqual(
    plan.rows.map((r) => [r.revision, r.key, r.createRevision, r.prevRevision, r.value, r.deleted]),
    [
      [11, '/b', 11, 0, 'b1', false],
      [12, '/a', 3, 9, 'old', true],
    ],
  );
  assert.deepEqual([...plan.overlay], [
    ['/b', { key: '/b', value: 'b1', createRevision: 11, modRevision: 11 }],
    ['/a', null],
  ]);
  assert.deepEqual(
    plan.committed.map((c) => [c.revision, c.events.map((e) => `${e.type}:${e.kv.key}@${e.kv.modRevision}`)]),
    [
      [11, ['put:/b@11']],
      [12, ['delete:/a@12']],
    ],
  );
});
