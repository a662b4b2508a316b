import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Secret } from 'kubernetes-types/core/v1.js';
import { base64ErrorOffset, setSecretDefaults } from './secret.js';

test("base64 is checked as Go's StdEncoding decodes it (padding required, CR/LF skipped)", () => {
  for (const good of ['', 'YQ==', 'YWI=', 'YWJj', 'YW\nJj', 'YWJj\r\n']) assert.equal(base64ErrorOffset(good), undefined, good);
  const bad: Array<[string, number]> = [
    ['YQ', 0], // a cut-off quantum: where it starts
    ['abcde', 4],
    ['a$bc', 1], // a character outside the alphabet: where it is
    ['Y===', 1],
    ['YQ=x', 2], // one '=' where two are needed: the first '='
    ['YQ=', 3], // ... or the end of the input
    ['YQ==YQ==', 4], // nothing may follow padding
  ];
  for (const [s, at] of bad) assert.equal(base64ErrorOffset(s), at, s);
});

test('type defaults to Opaque; stringData is folded into data (winning) and dropped', () => {
  const s: Secret = { data: { user: 'b2xk', keep: 'eA==' }, stringData: { user: 'admin', extra: 'ü' } };
  assert.equal(setSecretDefaults(s), undefined);
  assert.equal(s.type, 'Opaque');
  assert.equal('stringData' in s, false);
  assert.deepEqual(s.data, { user: 'YWRtaW4=', keep: 'eA==', extra: Buffer.from('ü').toString('base64') });
  const again = structuredClone(s);
  setSecretDefaults(again);
  assert.deepEqual(again, s, 'idempotent');
  const typed: Secret = { type: 'kubernetes.io/tls' };
  setSecretDefaults(typed);
  assert.deepEqual(typed, { type: 'kubernetes.io/tls' }, 'no data stays no data');
  assert.equal(setSecretDefaults({ data: { a: 'eA' } }), 'illegal base64 data at input byte 0');
  const wrapped: Secret = { data: { a: 'YW\nJj' } };
  setSecretDefaults(wrapped);
  assert.equal(wrapped.data?.a, 'YWJj', 'stored re-encoded without line breaks');
});
