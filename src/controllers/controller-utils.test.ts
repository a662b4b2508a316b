import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Expectations, canonicalJson, computeHash, equalIgnoreHash, fnv32a, isPodAvailable, safeEncodeString, scaledValue } from './controller-utils.js';

test('fnv32a matches the FNV-1a reference values', () => {
  const enc = new TextEncoder();
  assert.equal(fnv32a(enc.encode('')), 0x811c9dc5);
  assert.equal(fnv32a(enc.encode('a')), 0xe40c292c);
  assert.equal(fnv32a(enc.encode('foobar')), 0xbf9cf968);
});

test('safeEncodeString maps each digit into the vowel-free alphabet by code point', () => {
  // '0' is 48 → 48 % 27 = 21 → '4'; '9' is 57 → 3 → 'f'
  assert.equal(safeEncodeString('0'), '4');
  assert.equal(safeEncodeString('9'), 'f');
  assert.equal(safeEncodeString('1234'), '5678'.split('').map((_, i) => 'bcdfghjklmnpqrstvwxz2456789'[(49 + i) % 27]).join(''));
});

test('computeHash: stable under key order, changed by the template and by collisionCount', () => {
  const a = { metadata: { labels: { app: 'web', tier: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
  const b = { spec: { containers: [{ image: 'nginx', name: 'c' }] }, metadata: { labels: { tier: 'x', app: 'web' } } };
  assert.equal(computeHash(a), computeHash(b));
  assert.notEqual(computeHash(a), computeHash({ ...a, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } }));
  assert.notEqual(computeHash(a), computeHash(a, 0));
  assert.notEqual(computeHash(a, 0), computeHash(a, 1));
  assert.match(computeHash(a), /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.equal(canonicalJson({ b: 1, a: [2, { d: null, c: 3 }] }), '{"a":[2,{"c":3}],"b":1}');
});

test('equalIgnoreHash ignores only the pod-template-hash label', () => {
  const t = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
  assert.ok(equalIgnoreHash(t, { ...t, metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } } }));
  assert.ok(!equalIgnoreHash(t, { ...t, metadata: { labels: { app: 'api' } } }));
});

test('scaledValue rounds percentages up for surge and down for unavailability', () => {
  assert.equal(scaledValue('25%', 3, true, 0), 1);
  assert.equal(scaledValue('25%', 3, false, 0), 0);
  assert.equal(scaledValue(2, 3, false, 0), 2);
  assert.equal(scaledValue(undefined, 3, false, 7), 7);
});

test('isPodAvailable honours minReadySeconds from the Ready transition', () => {
  const pod: Pod = { status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' }] } };
  assert.ok(isPodAvailable(pod, 0, new Date('2024-01-01T00:00:00Z')));
  assert.ok(!isPodAvailable(pod, 10, new Date('2024-01-01T00:00:09Z')));
  assert.ok(isPodAvailable(pod, 10, new Date('2024-01-01T00:00:10Z')));
  assert.ok(!isPodAvailable({ status: { conditions: [{ type: 'Ready', status: 'False' }] } }, 0, new Date()));
});

test('Expectations hold until every create is observed, or the TTL passes', () => {
  let now = 0;
  const e = new Expectations(() => now, 1000);
  assert.ok(e.satisfied('k'));
  e.expect('k', 2, 0);
  assert.ok(!e.satisfied('k'));
  e.creationObserved('k');
  assert.ok(!e.satisfied('k'));
  e.creationObserved('k');
  assert.ok(e.satisfied('k'));
  e.expect('k', 0, 1);
  now = 1001;
  assert.ok(e.satisfied('k'));
});
