import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../field-errors.js';
import { validateConfigMap, validateConfigMapUpdate } from './configmap.js';
import { validateEvent } from './event.js';
import { validateLease } from './lease.js';
import { validateNamespace } from './namespace.js';
import { validateNode } from './node.js';

test('namespace finalizers must be standard or qualified', () => {
  assert.deepEqual(validateNamespace({ spec: { finalizers: ['kubernetes', 'example.com/x'] } }), []);
  assert.deepEqual(validateNamespace({ spec: { finalizers: ['foo'] } }).map(formatFieldError), [
    'spec.finalizers[0]: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified',
  ]);
});

test('configmap keys, duplicates across data and binaryData, size', () => {
  assert.deepEqual(validateConfigMap({ data: { 'app.properties': 'x', KEY_1: '' } }), []);
  assert.deepEqual(validateConfigMap({ data: { 'bad key': 'x', '..a': 'y' }, binaryData: { '..a': '' } }).map(formatFieldError), [
    `data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    `data[..a]: Invalid value: "..a": must not start with '..'`,
    'data[..a]: Invalid value: "..a": duplicate of key present in binaryData',
    `binaryData[..a]: Invalid value: "..a": must not start with '..'`,
    'binaryData[..a]: Invalid value: "..a": duplicate of key present in data',
  ]);
  assert.equal(validateConfigMap({ data: { big: 'x'.repeat(1024 * 1024 + 1) } })[0].type, 'FieldValueTooLong');
});

test('an immutable configmap keeps its data', () => {
  const old = { immutable: true, data: { a: '1' } };
  assert.deepEqual(validateConfigMapUpdate({ immutable: true, data: { a: '1' }, metadata: { labels: { x: 'y' } } }, old), []);
  assert.deepEqual(validateConfigMapUpdate({ data: { a: '2' } }, old).map(formatFieldError), [
    'immutable: Forbidden: field is immutable when `immutable` is set',
    'data: Forbidden: field is immutable when `immutable` is set',
  ]);
});

test('lease, event and node checks', () => {
  assert.deepEqual(validateLease({ spec: { leaseDurationSeconds: 0 } }).map(formatFieldError), [
    'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
  ]);
  const ev = (ns: string, involved?: string) => ({ metadata: { namespace: ns }, involvedObject: { namespace: involved } });
  assert.deepEqual(validateEvent(ev('default', 'default')), []);
  assert.deepEqual(validateEvent(ev('default')), []);
  assert.deepEqual(validateEvent(ev('a', 'b')).map(formatFieldError), ['involvedObject.namespace: Invalid value: "b": does not match event.namespace']);
  assert.deepEqual(validateNode({ spec: { taints: [{ key: 'k', effect: 'Sometimes' }] } }).map(formatFieldError), [
    'spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
  ]);
});
