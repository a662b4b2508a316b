import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Secret } from 'kubernetes-types/core/v1.js';
import { formatFieldError } from '../field-errors.js';
import { goJsonMapError, validateSecret, validateSecretUpdate } from './secret.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const texts = (s: Secret, old?: Secret) => (old ? validateSecretUpdate(s, old) : validateSecret(s)).map(formatFieldError);

test('secret keys follow ConfigMap key rules; the total of decoded bytes is limited to 1 MiB', () => {
  assert.deepEqual(texts({ type: 'Opaque', data: { 'ok.key_1-x': b64('v') } }), []);
  assert.deepEqual(texts({ type: 'Opaque', data: { 'a/b': b64('v') } }), [
    `data[a/b]: Invalid value: "a/b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
  ]);
  const half = Buffer.alloc(512 * 1024).toString('base64');
  assert.deepEqual(texts({ type: 'Opaque', data: { a: half, b: half } }), [], 'exactly 1 MiB is allowed');
  assert.deepEqual(texts({ type: 'Opaque', data: { a: half, b: half, c: b64('x') } }), ['data: Too long: may not be more than 1048576 bytes']);
});

test('each well-known type requires its keys', () => {
  assert.deepEqual(texts({ type: 'kubernetes.io/tls', data: {} }), ['data[tls.crt]: Required value', 'data[tls.key]: Required value']);
  assert.deepEqual(texts({ type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } }), [], 'present but empty is enough');
  assert.deepEqual(texts({ type: 'kubernetes.io/dockerconfigjson', data: {} }), ['data[.dockerconfigjson]: Required value']);
  assert.deepEqual(texts({ type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{"auths":{}}') } }), []);
  assert.deepEqual(texts({ type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('x{}') } }), [
    `data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": invalid character 'x' looking for beginning of value`,
  ]);
  assert.deepEqual(texts({ type: 'kubernetes.io/service-account-token' }), ['metadata.annotations[kubernetes.io/service-account.name]: Required value']);
  assert.deepEqual(texts({ metadata: { annotations: { 'kubernetes.io/service-account.name': 'default' } }, type: 'kubernetes.io/service-account-token' }), []);
  assert.deepEqual(texts({ type: 'kubernetes.io/basic-auth', data: {} }), ['data[%s][username]: Required value', 'data[%s][password]: Required value']);
  assert.deepEqual(texts({ type: 'kubernetes.io/basic-auth', data: { username: '' } }), []);
  assert.deepEqual(texts({ type: 'kubernetes.io/ssh-auth', data: { 'ssh-privatekey': '' } }), ['data[%s][ssh-privatekey]: Required value']);
  assert.deepEqual(texts({ type: 'example.com/anything' }), [], 'other types are free-form');
});

test("Go's JSON errors for dockercfg contents", () => {
  assert.equal(goJsonMapError(''), 'unexpected end of JSON input');
  assert.equal(goJsonMapError('[1]'), 'json: cannot unmarshal array into Go value of type map[string]interface {}');
  assert.equal(goJsonMapError('"s"'), 'json: cannot unmarshal string into Go value of type map[string]interface {}');
  assert.equal(goJsonMapError('null'), undefined);
  assert.equal(goJsonMapError('{"auths":{}}'), undefined);
});

test('updates: type never changes; immutable secrets keep data and stay immutable', () => {
  const old: Secret = { type: 'Opaque', data: { a: b64('1') }, immutable: true };
  assert.deepEqual(texts({ ...old, type: 'kubernetes.io/basic-auth', data: { a: b64('1'), username: '' } }, { ...old, immutable: false }), [
    'type: Invalid value: "kubernetes.io/basic-auth": field is immutable',
  ]);
  assert.deepEqual(texts({ ...old, data: { a: b64('2') } }, old), ['data: Forbidden: field is immutable when `immutable` is set']);
  assert.deepEqual(texts({ ...old, immutable: false }, old), ['immutable: Forbidden: field is immutable when `immutable` is set']);
  assert.deepEqual(texts({ ...old, metadata: { labels: { x: 'y' } } }, old), []);
});
