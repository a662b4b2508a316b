// pods/ephemeralcontainers through HTTP: GET answers the Pod, PUT and PATCH (strategic, merge, JSON)
// change nothing but spec.ephemeralContainers, refusals are 422 Invalid in Kubernetes' format,
// other verbs 405, and discovery lists the subresource as kube-apiserver does.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type Harness } from './harness.js';

let h: Harness;
before(async () => {
  h = await startServer();
  await h.call('POST', PODS, { metadata: { name: 'web', labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } });
});
after(async () => {
  await h?.close();
});

const PODS = '/api/v1/namespaces/default/pods';
const EC = `${PODS}/web/ephemeralcontainers`;

test('GET answers the Pod', async () => {
  const r = await h.call('GET', EC);
  assert.equal(r.status, 200);
  assert.equal(r.json.kind, 'Pod');
  assert.equal(r.json.metadata.name, 'web');
});

test('PUT adds one (defaults filled) and ignores every other change', async () => {
  const pod = (await h.call('GET', EC)).json;
  pod.metadata.labels = { app: 'changed' };
  pod.spec.containers[0].image = 'httpd';
  pod.spec.ephemeralContainers = [{ name: 'dbg', image: 'busybox', targetContainerName: 'web' }];
  const r = await h.call('PUT', EC, pod);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.deepEqual(r.json.metadata.labels, { app: 'web' });
  assert.equal(r.json.spec.containers[0].image, 'nginx');
  assert.deepEqual(r.json.spec.ephemeralContainers, [
    { name: 'dbg', image: 'busybox', targetContainerName: 'web', imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {} },
  ]);
});

test('strategic merge and merge patches add; a JSON patch removing one is 422', async () => {
  const s = await h.call('PATCH', EC, { spec: { ephemeralContainers: [{ name: 'dbg2', image: 'busybox:1.36' }] } }, { 'content-type': 'application/strategic-merge-patch+json' });
  assert.equal(s.status, 200, JSON.stringify(s.json));
  assert.deepEqual(s.json.spec.ephemeralContainers.map((c: { name: string }) => c.name).sort(), ['dbg', 'dbg2']);
  const at = s.json.spec.ephemeralContainers.findIndex((c: { name: string }) => c.name === 'dbg');
  const rm = await h.call('PATCH', EC, [{ op: 'remove', path: `/spec/ephemeralContainers/${at}` }], { 'content-type': 'application/json-patch+json' });
  assert.equal(rm.status, 422);
  assert.equal(rm.json.reason, 'Invalid');
  assert.equal(rm.json.message, 'Pod "web" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral containers "dbg" may not be removed\n');
  assert.deepEqual(rm.json.details.causes, [{ reason: 'FieldValueForbidden', message: 'Forbidden: existing ephemeral containers "dbg" may not be removed\n', field: 'spec.ephemeralContainers' }]);
  // A merge patch replaces the whole list: the two already there are gone, so it is refused too.
  const m = await h.call('PATCH', EC, { spec: { ephemeralContainers: [{ name: 'dbg3', image: 'busybox' }] } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(m.status, 422);
});

test('the pod itself may not change its ephemeral containers', async () => {
  const pod = (await h.call('GET', `${PODS}/web`)).json;
  pod.spec.ephemeralContainers = [];
  const r = await h.call('PUT', `${PODS}/web`, pod);
  assert.equal(r.status, 422);
});

test('DELETE and POST are 405; discovery lists pods/ephemeralcontainers (Pod; get, patch, update)', async () => {
  assert.equal((await h.call('DELETE', EC)).status, 405);
  assert.equal((await h.call('POST', EC, {})).status, 405);
  const d = await h.call('GET', '/api/v1');
  const sub = d.json.resources.find((r: { name: string }) => r.name === 'pods/ephemeralcontainers');
  assert.deepEqual(sub, { name: 'pods/ephemeralcontainers', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update'] });
});
