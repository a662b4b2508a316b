import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import { StatusError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { findByKind } from '../resources.js';
import { applyServerSideApply, parseApplyBody, recordUpdate } from './index.js';

const svcRes = findByKind('v1', 'Service')!;
const now = new Date('2026-01-02T03:04:05.678Z');
// The body kubectl 1.32 sends for `kubectl apply --server-side`.
const BODY = '{"apiVersion":"v1","kind":"Service","metadata":{"name":"ssa-svc","namespace":"default"},"spec":{"ports":[{"port":80,"targetPort":8080}],"selector":{"app":"web"}}}';

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    return e;
  }
  assert.fail('expected an error');
}

/** What the apiserver would store after create: defaults and server fields filled in. */
function stored(o: KubeObject): Service & KubeObject {
  const s = structuredClone(o) as Service & KubeObject;
  s.metadata = { ...s.metadata, uid: 'u1', resourceVersion: '5' };
  s.spec!.clusterIP = '10.96.0.7';
  s.spec!.type = 'ClusterIP';
  s.spec!.ports![0].protocol = 'TCP';
  return s;
}

test('apply creates when missing and records an Apply entry', () => {
  const out = applyServerSideApply(undefined, parseApplyBody(BODY), svcRes, { fieldManager: 'kubectl', force: false, now }) as Service & KubeObject;
  assert.deepEqual(out.spec, { ports: [{ port: 80, targetPort: 8080 }], selector: { app: 'web' } });
  assert.deepEqual(out.metadata!.managedFields, [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'v1',
      time: '2026-01-02T03:04:05Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:spec': {
          'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:targetPort': {} } },
          'f:selector': { 'f:app': {} },
        },
      },
    },
  ]);
});

test('re-applying the same configuration changes nothing', () => {
  const live = stored(applyServerSideApply(undefined, parseApplyBody(BODY), svcRes, { fieldManager: 'kubectl', force: false, now }));
  const again = applyServerSideApply(live, parseApplyBody(BODY), svcRes, { fieldManager: 'kubectl', force: false, now: new Date('2030-01-01T00:00:00Z') });
  assert.deepEqual(again, live);
});

test('fields no longer applied are removed; fields of others stay', () => {
  const cfg = parseApplyBody('apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  labels:\n    a: "1"\n    b: "2"\nspec:\n  selector:\n    app: web\n');
  let live = stored({ ...applyServerSideApply(undefined, cfg, svcRes, { fieldManager: 'mgr', force: false, now }), spec: { ports: [{ port: 80 }], selector: { app: 'web' } } });
  live = recordUpdate(live, { ...live, metadata: { ...live.metadata, labels: { a: '1', b: '2', c: '3' } } }, svcRes, 'other', now) as Service & KubeObject;
  const next = parseApplyBody('apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  labels:\n    a: "1"\nspec:\n  selector:\n    app: web\n');
  const out = applyServerSideApply(live, next, svcRes, { fieldManager: 'mgr', force: false, now }) as Service & KubeObject;
  assert.deepEqual(out.metadata!.labels, { a: '1', c: '3' });
  assert.equal(out.metadata!.uid, 'u1');
});

test('changing a field another manager owns conflicts; force takes it over', () => {
  let live = stored(applyServerSideApply(undefined, parseApplyBody(BODY), svcRes, { fieldManager: 'kubectl', force: false, now }));
  const edited = structuredClone(live);
  edited.spec!.selector = { app: 'api' };
  live = recordUpdate(live, edited, svcRes, 'kubectl-edit', now) as Service & KubeObject;
  const e = statusOf(() => applyServerSideApply(live, parseApplyBody(BODY), svcRes, { fieldManager: 'kubectl', force: false, now }));
  assert.equal(e.code, 409);
  assert.equal(e.reason, 'Conflict');
  assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "kubectl-edit" using v1 at 2026-01-02T03:04:05Z: .spec.selector.app');
  const forced = applyServerSideApply(live, parseApplyBody(BODY), svcRes, { fieldManager: 'kubectl', force: true, now }) as Service & KubeObject;
  assert.deepEqual(forced.spec!.selector, { app: 'web' });
  assert.deepEqual(
    forced.metadata!.managedFields!.map((m) => m.manager),
    ['kubectl'],
    'the editor lost its only field',
  );
});

test('applying a value equal to what another manager set is not a conflict', () => {
  let live = stored(applyServerSideApply(undefined, parseApplyBody(BODY), svcRes, { fieldManager: 'a', force: false, now }));
  live = stored(applyServerSideApply(live, parseApplyBody(BODY), svcRes, { fieldManager: 'b', force: false, now }));
  assert.deepEqual(
    live.metadata!.managedFields!.map((m) => m.manager),
    ['a', 'b'],
  );
});

test('bad apply body is 400', () => {
  assert.equal(statusOf(() => parseApplyBody('[1,2]')).code, 400);
  assert.equal(statusOf(() => parseApplyBody('a: [')).code, 400);
});

test('recordUpdate: changed fields move to the writing manager as an Update entry', () => {
  const live = stored(applyServerSideApply(undefined, parseApplyBody(BODY), svcRes, { fieldManager: 'kubectl', force: false, now }));
  const edited = structuredClone(live);
  edited.spec!.selector = { app: 'web', tier: 'fe' };
  const out = recordUpdate(live, edited, svcRes, 'kubectl-edit', now) as Service & KubeObject;
  const entries = out.metadata!.managedFields!;
  assert.deepEqual(
    entries.map((e) => [e.manager, e.operation]),
    [
      ['kubectl', 'Apply'],
      ['kubectl-edit', 'Update'],
    ],
  );
  assert.deepEqual(entries[1].fieldsV1, { 'f:spec': { 'f:selector': { 'f:tier': {} } } });
  // Nothing changed: managedFields stay as they are.
  assert.deepEqual(recordUpdate(live, structuredClone(live), svcRes, 'kubectl-edit', now), live);
});
