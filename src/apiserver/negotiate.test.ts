import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { negotiate } from './negotiate.js';

const req = (accept?: string) => ({ headers: accept === undefined ? {} : { accept } }) as IncomingMessage;

test('kubectl get asks for a Table first', () => {
  assert.equal(negotiate(req('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json')), 'table');
});

test('plain JSON, protobuf-then-JSON, wildcards and no header are objects', () => {
  for (const a of [undefined, 'application/json', 'application/vnd.kubernetes.protobuf,application/json', 'application/json, */*', '*/*']) {
    assert.equal(negotiate(req(a)), 'object', String(a));
  }
});

test('PartialObjectMetadata for metadata-only clients', () => {
  assert.equal(negotiate(req('application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json')), 'partial');
});

test('an unknown Table version falls through to the next range; nothing acceptable is 406', () => {
  assert.equal(negotiate(req('application/json;as=Table;v=v2;g=meta.k8s.io,application/json')), 'object');
  assert.throws(() => negotiate(req('text/html')), { code: 406 });
});
