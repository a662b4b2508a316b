import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLbPool } from './lb-pool.js';

test('allocates the lowest free address, skipping network and broadcast', () => {
  const pool = createLbPool(['10.250.0.0/30']);
  assert.equal(pool.allocate('a'), '10.250.0.1');
  assert.equal(pool.allocate('b'), '10.250.0.2');
  assert.equal(pool.allocate('c'), undefined);
  pool.release('a');
  assert.equal(pool.allocate('c'), '10.250.0.1');
  assert.deepEqual(pool.heldBy('c'), ['10.250.0.1']);
});

test('claims respect holders and the pool bounds; several CIDRs are used in order', () => {
  const pool = createLbPool(['192.168.5.0/31', '10.0.0.8/29']);
  assert.equal(pool.claim('192.168.5.1', 'x'), true);
  assert.equal(pool.claim('192.168.5.1', 'y'), false);
  assert.equal(pool.claim('192.168.5.1', 'x'), true, 'claiming what one holds is fine');
  assert.equal(pool.claim('10.0.0.8', 'y'), false, 'network address of a /29 is not handed out');
  assert.equal(pool.claim('172.16.0.1', 'y'), false);
  assert.equal(pool.allocate('y'), '192.168.5.0');
  assert.equal(pool.allocate('z'), '10.0.0.9');
  assert.equal(pool.holder('10.0.0.9'), 'z');
  assert.equal(pool.contains('10.0.0.14'), true);
  assert.equal(pool.contains('10.0.0.15'), false);
});

test('bad CIDRs are refused with a message that says what is wrong', () => {
  assert.throws(() => createLbPool(['10.250.0.1/24']), /host bits set \(did you mean 10\.250\.0\.0\/24\?\)/);
  assert.throws(() => createLbPool(['fd00::/64']), /not an IPv4 CIDR/);
  assert.throws(() => createLbPool([]), /at least one CIDR/);
});
