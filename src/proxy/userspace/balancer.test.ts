import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Balancer } from './balancer.js';

const A = { ip: '10.244.0.5', port: 8080 };
const B = { ip: '10.244.0.6', port: 8080 };
const C = { ip: '10.244.0.7', port: 8080 };

test('random choice reaches every endpoint; none left → undefined', () => {
  let r = 0;
  const b = new Balancer(() => 0, () => r);
  b.update([A, B, C], undefined);
  const seen = new Set<string>();
  for (r = 0; r < 1; r += 0.1) seen.add(b.pick('1.2.3.4')!.ip);
  assert.deepEqual([...seen].sort(), [A.ip, B.ip, C.ip]);
  assert.equal(b.pick('1.2.3.4', new Set(['10.244.0.5:8080', '10.244.0.6:8080', '10.244.0.7:8080'])), undefined);
  b.update([], undefined);
  assert.equal(b.pick('1.2.3.4'), undefined);
});

test('ClientIP affinity pins a client until the timeout passes without use, and unpins from a removed endpoint', () => {
  let now = 0;
  let r = 0;
  const b = new Balancer(() => now, () => r);
  b.update([A, B], 10);
  assert.deepEqual(b.pick('1.1.1.1'), A);
  r = 0.9;
  now = 9_000;
  assert.deepEqual(b.pick('1.1.1.1'), A, 'still pinned (and the use refreshes it)');
  now = 18_000;
  assert.deepEqual(b.pick('1.1.1.1'), A, '9 s after the last use');
  assert.deepEqual(b.pick('2.2.2.2'), B, 'another client picks for itself');
  now = 28_001;
  assert.deepEqual(b.pick('1.1.1.1'), B, 'expired: a new random pick');
  b.update([A], 10);
  r = 0;
  assert.deepEqual(b.pick('1.1.1.1'), A, 'B went away: the client moves');
});
