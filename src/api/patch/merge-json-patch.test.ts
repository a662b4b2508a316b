import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import { StatusError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { findByKind } from '../resources.js';
import { applyPatch } from './index.js';

const svcRes = findByKind('v1', 'Service')!;
const svc = (): Service & KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'backend-svc', namespace: 'default', labels: { app: 'backend' } },
  spec: { selector: { app: 'backend' }, ports: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }] },
});

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    return e;
  }
  assert.fail('expected an error');
}

test('merge patch (kubectl label body): maps merge, lists replace, null deletes', () => {
  const out = applyPatch('application/merge-patch+json', svc(), '{"metadata":{"labels":{"x":"y"}}}', svcRes) as Service & KubeObject;
  assert.deepEqual(out.metadata!.labels, { app: 'backend', x: 'y' });
  const out2 = applyPatch('application/merge-patch+json; charset=utf-8', svc(), { spec: { ports: [{ port: 8080 }], selector: null } }, svcRes) as Service & KubeObject;
  assert.deepEqual(out2.spec!.ports, [{ port: 8080 }]);
  assert.equal('selector' in out2.spec!, false);
  const orig = svc();
  assert.deepEqual(applyPatch('application/merge-patch+json', orig, '{"spec":{"selector":{"app":"backend"}}}', svcRes), orig);
});

test('merge patch: bad JSON is 400', () => {
  const e = statusOf(() => applyPatch('application/merge-patch+json', svc(), '{nope', svcRes));
  assert.equal(e.code, 400);
  assert.equal(e.reason, 'BadRequest');
  assert.equal(e.message, 'invalid JSON patch');
});

test('json patch: add, replace, remove, test', () => {
  const out = applyPatch(
    'application/json-patch+json',
    svc(),
    JSON.stringify([
      { op: 'test', path: '/spec/ports/0/port', value: 80 },
      { op: 'replace', path: '/spec/ports/0/port', value: 81 },
      { op: 'remove', path: '/spec/ports/1' },
      { op: 'add', path: '/metadata/labels/tier', value: 'db' },
    ]),
    svcRes,
  ) as Service & KubeObject;
  assert.deepEqual(out.spec!.ports, [{ port: 81, protocol: 'TCP' }]);
  assert.equal(out.metadata!.labels!.tier, 'db');
});

test('json patch: failed test and missing path are 422 with the generic message', () => {
  const e = statusOf(() => applyPatch('application/json-patch+json', svc(), [{ op: 'test', path: '/spec/ports/0/port', value: 1 }], svcRes));
  assert.equal(e.code, 422);
  assert.equal(e.reason, 'Invalid');
  assert.equal(e.message, 'the server rejected our request due to an error in our request');
  assert.equal(e.details?.causes?.[0].message, 'testing value /spec/ports/0/port failed: test failed');
  const e2 = statusOf(() => applyPatch('application/json-patch+json', svc(), [{ op: 'remove', path: '/spec/nope' }], svcRes));
  assert.equal(e2.code, 422);
  assert.equal(e2.details?.causes?.[0].message, 'Unable to remove nonexistent key: nope: missing value');
  const e3 = statusOf(() => applyPatch('application/json-patch+json', svc(), '{"op":"add"}', svcRes));
  assert.equal(e3.code, 400);
});

test('unknown patch content type is 415', () => {
  const e = statusOf(() => applyPatch('application/xml', svc(), '{}', svcRes));
  assert.equal(e.code, 415);
});
