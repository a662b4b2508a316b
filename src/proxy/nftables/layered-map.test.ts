import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LayeredMap } from './layered-map.js';

test('a derived layer sees its parent, shadows and deletes without changing it; folding keeps the contents', () => {
  const a = new LayeredMap<string, number>();
  a.set('x', 1).set('y', 2);
  const b = a.derive();
  b.set('y', 3);
  b.delete('x');
  b.set('z', 4);
  assert.deepEqual([...a].sort(), [['x', 1], ['y', 2]]);
  assert.equal(b.get('x'), undefined);
  assert.equal(b.has('x'), false);
  assert.equal(b.get('y'), 3);
  assert.equal(b.size, 2);
  assert.deepEqual([...b].sort(), [['y', 3], ['z', 4]]);
  // Many generations: reads stay right across the periodic fold.
  let m = b;
  for (let i = 0; i < 40; i++) {
    m = m.derive();
    m.set(`k${i}`, i);
    if (i % 3 === 0) m.delete(`k${i - 1}`);
  }
  const expect = new Map<string, number>([['y', 3], ['z', 4]]);
  for (let i = 0; i < 40; i++) {
    expect.set(`k${i}`, i);
    if (i % 3 === 0) expect.delete(`k${i - 1}`);
  }
  assert.equal(m.size, expect.size);
  assert.deepEqual([...m].sort(), [...expect].sort());
  assert.equal(b.get('z'), 4, 'older generations unchanged');
});
