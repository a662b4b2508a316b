// fieldValidation: unknown fields are refused (Strict), reported (Warn, the default) or ignored.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type Harness } from './harness.js';

let h: Harness;
before(async () => {
  h = await startServer();
});
after(async () => {
  await h?.close();
});

const SVC = '/api/v1/namespaces/default/services';
const typo = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, labels: { a: 'b' } }, spec: { ports: [{ port: 80, nodeport: 1 }], selectr: { a: 'b' } } });

test('Strict refuses unknown fields with kube-apiserver\'s message', async () => {
  const r = await h.call('POST', `${SVC}?fieldValidation=Strict`, typo('strict'));
  assert.equal(r.status, 400);
  assert.equal(r.json.reason, 'BadRequest');
  assert.equal(
    r.json.message,
    'Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.ports[0].nodeport", unknown field "spec.selectr"',
  );
  assert.equal((await h.call('GET', `${SVC}/strict`)).status, 404);
});

test('Warn (default) accepts the object and sends a Warning header per field; Ignore is silent', async () => {
  const r = await h.call('POST', SVC, typo('warned'));
  assert.equal(r.status, 201);
  assert.match(r.headers.get('warning') ?? '', /299 - "unknown field \\"spec.selectr\\""/);
  const i = await h.call('POST', `${SVC}?fieldValidation=Ignore`, typo('ignored'));
  assert.equal(i.status, 201);
  assert.equal(i.headers.get('warning'), null);
});

test('known fields of every depth pass Strict, including maps, int-or-string and managedFields', async () => {
  const ok = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'fine', labels: { x: 'y' }, annotations: { 'a/b': 'c' } },
    spec: { type: 'ClusterIP', selector: { app: 'x' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
  };
  const r = await h.call('POST', `${SVC}?fieldValidation=Strict`, ok);
  assert.equal(r.status, 201, r.text);
  const again = await h.call('PUT', `${SVC}/fine?fieldValidation=Strict`, r.json);
  assert.equal(again.status, 200, again.text);
});

test('strategic merge patches are checked too, directives excepted', async () => {
  await h.call('POST', SVC, { metadata: { name: 'pt' }, spec: { ports: [{ port: 80 }] } });
  const ct = { 'content-type': 'application/strategic-merge-patch+json' };
  const good = await h.call('PATCH', `${SVC}/pt?fieldValidation=Strict`, { spec: { '$setElementOrder/ports': [{ port: 80 }], ports: [{ port: 80, targetPort: 81 }] } }, ct);
  assert.equal(good.status, 200, good.text);
  const bad = await h.call('PATCH', `${SVC}/pt?fieldValidation=Strict`, { spec: { portz: [] } }, ct);
  assert.equal(bad.status, 400);
  assert.match(bad.json.message, /unknown field "spec.portz"/);
});
