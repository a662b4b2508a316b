// Every basic verb through HTTP, with kube-apiserver's Status shapes and codes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cm, startServer, svc, type Harness } from './harness.js';

let h: Harness;
before(async () => {
  h = await startServer();
});
after(async () => {
  await h?.close();
});

const CMS = '/api/v1/namespaces/default/configmaps';

test('create returns 201 with server-set metadata; get returns the same object', async () => {
  const r = await h.call('POST', CMS, cm('one', { app: 'x' }, { k: 'v' }));
  assert.equal(r.status, 201);
  const m = r.json.metadata;
  assert.equal(m.name, 'one');
  assert.equal(m.namespace, 'default');
  assert.match(m.uid, /^[0-9a-f-]{36}$/);
  assert.match(m.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.match(m.resourceVersion, /^\d+$/);
  const g = await h.call('GET', `${CMS}/one`);
  assert.equal(g.status, 200);
  assert.deepEqual(g.json, r.json);
});

test('a second create of the same name is 409 AlreadyExists with the kubectl-visible message', async () => {
  await h.call('POST', '/api/v1/namespaces/default/services', svc('dup'));
  const r = await h.call('POST', '/api/v1/namespaces/default/services', svc('dup'));
  assert.equal(r.status, 409);
  assert.equal(r.json.kind, 'Status');
  assert.equal(r.json.status, 'Failure');
  assert.equal(r.json.reason, 'AlreadyExists');
  assert.equal(r.json.message, 'services "dup" already exists');
  assert.equal(r.json.code, 409);
});

test('get of a missing object is 404 NotFound; unknown paths are 404 too', async () => {
  const r = await h.call('GET', `${CMS}/nope`);
  assert.equal(r.status, 404);
  assert.equal(r.json.message, 'configmaps "nope" not found');
  assert.equal(r.json.reason, 'NotFound');
  const d = await h.call('GET', '/apis/apps/v1/namespaces/default/deployments/nope');
  assert.equal(d.json.message, 'deployments.apps "nope" not found');
  const u = await h.call('GET', '/api/v1/widgets');
  assert.equal(u.status, 404);
  assert.equal(u.json.message, 'the server could not find the requested resource');
});

test('generateName appends 5 characters of the Kubernetes alphabet', async () => {
  const r = await h.call('POST', CMS, { metadata: { generateName: 'gen-' } });
  assert.equal(r.status, 201);
  assert.match(r.json.metadata.name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
});

test('create in a missing namespace is 404 for the namespace', async () => {
  const r = await h.call('POST', '/api/v1/namespaces/ghost/configmaps', cm('x'));
  assert.equal(r.status, 404);
  assert.equal(r.json.message, 'namespaces "ghost" not found');
});

test('invalid names are 422 Invalid with apimachinery texts', async () => {
  const r = await h.call('POST', '/api/v1/namespaces/default/services', svc('Bad_Name'));
  assert.equal(r.status, 422);
  assert.equal(r.json.reason, 'Invalid');
  assert.match(r.json.message, /^Service "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a DNS-1035 label must consist of/);
  const n = await h.call('POST', CMS, { metadata: {} });
  assert.equal(n.status, 422);
  assert.equal(n.json.message, 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required');
});

test('update with a stale resourceVersion is 409 Conflict; without one it is unconditional', async () => {
  const c = await h.call('POST', CMS, cm('occ', undefined, { a: '1' }));
  const rv = c.json.metadata.resourceVersion;
  const u1 = await h.call('PUT', `${CMS}/occ`, { ...c.json, data: { a: '2' } });
  assert.equal(u1.status, 200);
  assert.notEqual(u1.json.metadata.resourceVersion, rv);
  const stale = await h.call('PUT', `${CMS}/occ`, { ...c.json, data: { a: '3' } });
  assert.equal(stale.status, 409);
  assert.equal(stale.json.reason, 'Conflict');
  assert.equal(
    stale.json.message,
    'Operation cannot be fulfilled on configmaps "occ": the object has been modified; please apply your changes to the latest version and try again',
  );
  const body = { ...c.json, data: { a: '4' }, metadata: { ...c.json.metadata, resourceVersion: undefined } };
  const u2 = await h.call('PUT', `${CMS}/occ`, body);
  assert.equal(u2.status, 200);
  assert.equal(u2.json.data.a, '4');
});

test('a no-op update or patch keeps the resourceVersion and writes nothing', async () => {
  const c = await h.call('POST', CMS, cm('noop', { x: 'y' }, { a: '1' }));
  const before = await h.store.currentRevision();
  const u = await h.call('PUT', `${CMS}/noop`, c.json);
  assert.equal(u.status, 200);
  assert.equal(u.json.metadata.resourceVersion, c.json.metadata.resourceVersion);
  const p = await h.call('PATCH', `${CMS}/noop`, { metadata: { labels: { x: 'y' } } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(p.status, 200);
  assert.equal(p.json.metadata.resourceVersion, c.json.metadata.resourceVersion);
  assert.equal(await h.store.currentRevision(), before);
});

test('immutable metadata comes from the stored object; a different name is 400', async () => {
  const c = await h.call('POST', CMS, cm('imm'));
  const u = await h.call('PUT', `${CMS}/imm`, { ...c.json, metadata: { ...c.json.metadata, uid: 'forged', creationTimestamp: '2000-01-01T00:00:00Z' }, data: { b: '1' } });
  assert.equal(u.status, 200);
  assert.equal(u.json.metadata.uid, c.json.metadata.uid);
  assert.equal(u.json.metadata.creationTimestamp, c.json.metadata.creationTimestamp);
  const bad = await h.call('PUT', `${CMS}/imm`, { ...c.json, metadata: { ...c.json.metadata, name: 'other' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.message, 'the name of the object (other) does not match the name on the URL (imm)');
});

test('PUT on a missing object is 404', async () => {
  const r = await h.call('PUT', `${CMS}/missing`, cm('missing'));
  assert.equal(r.status, 404);
});

test('generation starts at 1 and increases on spec changes only; status is kept on the main resource', async () => {
  const d = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'gen' },
    spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
    status: { replicas: 7 },
  };
  const path = '/apis/apps/v1/namespaces/default/deployments';
  const c = await h.call('POST', path, d);
  assert.equal(c.status, 201);
  assert.equal(c.json.metadata.generation, 1);
  const lbl = await h.call('PATCH', `${path}/gen`, { metadata: { labels: { l: '1' } } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(lbl.json.metadata.generation, 1);
  const sp = await h.call('PATCH', `${path}/gen`, { spec: { replicas: 3 }, status: { replicas: 99 } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(sp.json.metadata.generation, 2);
  assert.notEqual(sp.json.status?.replicas, 99);
  // The status subresource changes status only.
  const st = await h.call('PUT', `${path}/gen/status`, { ...sp.json, spec: { ...sp.json.spec, replicas: 50 }, status: { replicas: 3 } });
  assert.equal(st.status, 200);
  assert.equal(st.json.status.replicas, 3);
  assert.equal(st.json.spec.replicas, 3);
  assert.equal(st.json.metadata.generation, 2);
});

test('scale subresource reads and writes spec.replicas as autoscaling/v1 Scale', async () => {
  const path = '/apis/apps/v1/namespaces/default/deployments';
  await h.call('POST', path, {
    metadata: { name: 'sc' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'sc' } }, template: { metadata: { labels: { app: 'sc' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
  });
  const g = await h.call('GET', `${path}/sc/scale`);
  assert.equal(g.status, 200);
  assert.equal(g.json.kind, 'Scale');
  assert.equal(g.json.apiVersion, 'autoscaling/v1');
  assert.equal(g.json.spec.replicas, 2);
  assert.equal(g.json.status.selector, 'app=sc');
  const p = await h.call('PATCH', `${path}/sc/scale`, { spec: { replicas: 5 } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(p.status, 200);
  assert.equal(p.json.spec.replicas, 5);
  const d = await h.call('GET', `${path}/sc`);
  assert.equal(d.json.spec.replicas, 5);
  const neg = await h.call('PUT', `${path}/sc/scale`, { ...p.json, spec: { replicas: -1 } });
  assert.equal(neg.status, 422);
});

test('dryRun=All validates and answers without persisting', async () => {
  const before = await h.store.currentRevision();
  const r = await h.call('POST', `${CMS}?dryRun=All`, cm('dry'));
  assert.equal(r.status, 201);
  assert.equal(r.json.metadata.name, 'dry');
  assert.equal((await h.call('GET', `${CMS}/dry`)).status, 404);
  const bad = await h.call('POST', '/api/v1/namespaces/default/services?dryRun=All', svc('Bad'));
  assert.equal(bad.status, 422);
  await h.call('POST', CMS, cm('dry2', undefined, { a: '1' }));
  const mid = await h.store.currentRevision();
  const p = await h.call('PATCH', `${CMS}/dry2?dryRun=All`, { data: { a: '2' } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(p.json.data.a, '2');
  assert.equal((await h.call('GET', `${CMS}/dry2`)).json.data.a, '1');
  const d = await h.call('DELETE', `${CMS}/dry2?dryRun=All`);
  assert.equal(d.status, 200);
  assert.equal((await h.call('GET', `${CMS}/dry2`)).status, 200);
  assert.equal(await h.store.currentRevision(), mid);
  assert.ok(mid > before);
  const inv = await h.call('POST', `${CMS}?dryRun=Some`, cm('dry3'));
  assert.equal(inv.status, 400);
});

test('delete removes the object and returns it; preconditions are checked', async () => {
  const c = await h.call('POST', CMS, cm('del'));
  const pre = await h.call('DELETE', `${CMS}/del`, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'other' } });
  assert.equal(pre.status, 409);
  assert.equal(pre.json.message, `Operation cannot be fulfilled on configmaps "del": Precondition failed: UID in precondition: other, UID in object meta: ${c.json.metadata.uid}`);
  const d = await h.call('DELETE', `${CMS}/del`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
  assert.equal(d.status, 200);
  assert.equal(d.json.metadata.name, 'del');
  assert.equal((await h.call('GET', `${CMS}/del`)).status, 404);
  assert.equal((await h.call('DELETE', `${CMS}/del`)).status, 404);
});

test('finalizers hold a deleted object until the last one is removed', async () => {
  const c = await h.call('POST', CMS, { metadata: { name: 'fin', finalizers: ['example.com/hold'] } });
  const d = await h.call('DELETE', `${CMS}/fin`);
  assert.equal(d.status, 200);
  assert.ok(d.json.metadata.deletionTimestamp);
  assert.equal(d.json.metadata.deletionGracePeriodSeconds, 0);
  const g = await h.call('GET', `${CMS}/fin`);
  assert.equal(g.status, 200);
  assert.equal(g.json.metadata.uid, c.json.metadata.uid);
  const add = await h.call('PATCH', `${CMS}/fin`, { metadata: { finalizers: ['example.com/hold', 'example.com/new'] } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(add.status, 422);
  const rm = await h.call('PATCH', `${CMS}/fin`, { metadata: { finalizers: null } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(rm.status, 200);
  assert.equal((await h.call('GET', `${CMS}/fin`)).status, 404);
});

test('deletecollection deletes what matches the selector', async () => {
  await h.call('POST', '/api/v1/namespaces', { metadata: { name: 'dc' } });
  for (const [n, l] of [['a', 'x'], ['b', 'x'], ['c', 'y']]) await h.call('POST', '/api/v1/namespaces/dc/configmaps', cm(n, { t: l }));
  const r = await h.call('DELETE', '/api/v1/namespaces/dc/configmaps?labelSelector=t%3Dx');
  assert.equal(r.status, 200);
  assert.equal(r.json.items.length, 2);
  const left = await h.call('GET', '/api/v1/namespaces/dc/configmaps');
  assert.deepEqual(left.json.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['c']);
});

test('bodies: YAML accepted, malformed JSON 400, unknown type 415, too large 413', async () => {
  const y = await h.call('POST', CMS, 'metadata:\n  name: from-yaml\ndata:\n  k: v\n', { 'content-type': 'application/yaml' });
  assert.equal(y.status, 201);
  assert.equal(y.json.data.k, 'v');
  const bad = await h.call('POST', CMS, '{"metadata": ', { 'content-type': 'application/json' });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.kind, 'Status');
  assert.match(bad.json.message, /json parse error/);
  const t = await h.call('POST', CMS, 'x', { 'content-type': 'text/plain' });
  assert.equal(t.status, 415);
  assert.equal(t.json.reason, 'UnsupportedMediaType');
  const big = await h.call('POST', CMS, JSON.stringify(cm('big', undefined, { k: 'x'.repeat(3 * 1024 * 1024) })));
  assert.equal(big.status, 413);
  assert.equal(big.json.reason, 'RequestEntityTooLarge');
  const pt = await h.call('PATCH', `${CMS}/from-yaml`, '{}', { 'content-type': 'application/json' });
  assert.equal(pt.status, 415);
});

test('server-side apply creates when missing (201) and updates otherwise (200)', async () => {
  const body = JSON.stringify(cm('ssa', undefined, { a: '1' }));
  const ct = { 'content-type': 'application/apply-patch+yaml' };
  const c = await h.call('PATCH', `${CMS}/ssa?fieldManager=kubectl&force=false`, body, ct);
  assert.equal(c.status, 201);
  assert.equal(c.json.data.a, '1');
  const u = await h.call('PATCH', `${CMS}/ssa?fieldManager=kubectl`, JSON.stringify(cm('ssa', undefined, { a: '2' })), ct);
  assert.equal(u.status, 200);
  assert.equal(u.json.data.a, '2');
  const nofm = await h.call('PATCH', `${CMS}/ssa`, body, ct);
  assert.equal(nofm.status, 400);
});

test('strategic merge and JSON patches are dispatched by content type', async () => {
  const path = '/api/v1/namespaces/default/services';
  await h.call('POST', path, { metadata: { name: 'smp' }, spec: { ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] } });
  const s = await h.call('PATCH', `${path}/smp`, { spec: { ports: [{ port: 81, targetPort: 9000 }] } }, { 'content-type': 'application/strategic-merge-patch+json' });
  assert.equal(s.status, 200);
  assert.equal(s.json.spec.ports.length, 2);
  const j = await h.call('PATCH', `${path}/smp`, [{ op: 'add', path: '/metadata/labels', value: { j: 'p' } }], { 'content-type': 'application/json-patch+json' });
  assert.equal(j.status, 200);
  assert.equal(j.json.metadata.labels.j, 'p');
});

test('streaming subresources: Status errors before any upgrade', async () => {
  // (log, exec, attach and portforward are forwarded to the node agent by node-streams.ts.)
  for (const sub of ['attach', 'exec', 'portforward']) {
    const r = await h.call('GET', `/api/v1/namespaces/default/pods/p/${sub}`);
    assert.equal(r.status, 400);
    assert.equal(r.json.message, 'Upgrade request required');
  }
  // exec/attach/port-forward ask for a protocol upgrade (WebSocket): a Status comes back, not a dropped socket.
  const { request } = await import('node:http');
  const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${h.base}/api/v1/namespaces/default/pods/p/exec?command=ls&stdout=true`, {
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Protocol': 'v5.channel.k8s.io', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('upgrade', () => reject(new Error('unexpected upgrade')));
    req.on('error', reject);
    req.end();
  });
  assert.equal(reply.status, 404);
  assert.equal(JSON.parse(reply.body).message, 'pods "p" not found');
});

test('/version reports Kubernetes 1.32; health endpoints answer', async () => {
  const v = await h.call('GET', '/version?timeout=5s');
  assert.equal(v.json.major, '1');
  assert.equal(v.json.minor, '32');
  assert.match(v.json.gitVersion, /^v1\.32\./);
  for (const p of ['/healthz', '/livez', '/readyz']) assert.equal((await h.call('GET', p)).status, 200);
});

test('/metrics counts requests by verb, resource and code', async () => {
  await h.call('GET', `${CMS}/metrics-missing`);
  await h.call('GET', CMS);
  const m = await h.call('GET', '/metrics');
  assert.equal(m.status, 200);
  assert.match(m.text, /apiserver_request_total\{verb="GET",group="",version="v1",resource="configmaps",subresource="",code="404"\} \d+/);
  assert.match(m.text, /apiserver_request_total\{verb="LIST",group="",version="v1",resource="configmaps",subresource="",code="200"\} \d+/);
  assert.match(m.text, /apiserver_request_duration_seconds_bucket/);
});

test('protobuf bodies (as kubectl create sends them) are decoded; garbage is 400', async () => {
  const { encodeProtobufObject } = await import('../../src/api/protobuf/encode.js');
  const body = encodeProtobufObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-proto', labels: { p: 'b' } }, data: { k: 'v' } });
  const r = await h.call('POST', `${CMS}?fieldManager=kubectl-create&fieldValidation=Strict`, new Uint8Array(body), {
    'content-type': 'application/vnd.kubernetes.protobuf',
    accept: 'application/vnd.kubernetes.protobuf,application/json',
  });
  assert.equal(r.status, 201);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(r.json.metadata.labels.p, 'b');
  assert.equal(r.json.data.k, 'v');
  const bad = await h.call('POST', CMS, new Uint8Array([1, 2, 3, 4, 5]), { 'content-type': 'application/vnd.kubernetes.protobuf' });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.kind, 'Status');
});

test('writes with a fieldManager are recorded in managedFields; apply conflicts with them', async () => {
  const c = await h.call('POST', `${CMS}?fieldManager=kubectl-create`, cm('mf', undefined, { a: '1' }));
  assert.equal(c.status, 201);
  const mf = c.json.metadata.managedFields;
  assert.equal(mf.length, 1);
  assert.equal(mf[0].manager, 'kubectl-create');
  assert.equal(mf[0].operation, 'Update');
  assert.deepEqual((await h.call('GET', `${CMS}/mf`)).json.metadata.managedFields, mf);
  const ct = { 'content-type': 'application/apply-patch+yaml' };
  const clash = await h.call('PATCH', `${CMS}/mf?fieldManager=other`, JSON.stringify(cm('mf', undefined, { a: '2' })), ct);
  assert.equal(clash.status, 409);
  assert.match(clash.json.message, /^Apply failed with 1 conflict: conflict with "kubectl-create"/);
  const forced = await h.call('PATCH', `${CMS}/mf?fieldManager=other&force=true`, JSON.stringify(cm('mf', undefined, { a: '2' })), ct);
  assert.equal(forced.status, 200);
  assert.equal(forced.json.data.a, '2');
});

test('pods bound to a node are deleted gracefully; grace 0 or an unbound pod deletes at once', async () => {
  const PODS = '/api/v1/namespaces/default/pods';
  const pod = (name: string, nodeName?: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { ...(nodeName ? { nodeName } : {}), terminationGracePeriodSeconds: 20, containers: [{ name: 'c', image: 'busybox' }] },
  });
  assert.equal((await h.call('POST', PODS, pod('bound', 'node-1'))).status, 201);
  const d = await h.call('DELETE', `${PODS}/bound`);
  assert.equal(d.status, 200);
  assert.equal(d.json.metadata.deletionGracePeriodSeconds, 20);
  const secs = (Date.parse(d.json.metadata.deletionTimestamp) - Date.now()) / 1000;
  assert.ok(secs > 17 && secs <= 21, `deletionTimestamp ${secs}s ahead`);
  assert.equal((await h.call('GET', `${PODS}/bound`)).status, 200);
  const shorter = await h.call('DELETE', `${PODS}/bound`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 5 });
  assert.equal(shorter.json.metadata.deletionGracePeriodSeconds, 5);
  // The node agent keeps reporting status while the pod terminates: that must not delete it.
  const st = await h.call('PATCH', `${PODS}/bound/status`, { status: { phase: 'Running' } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(st.status, 200);
  assert.equal((await h.call('GET', `${PODS}/bound`)).status, 200);
  const force = await h.call('DELETE', `${PODS}/bound?gracePeriodSeconds=0`);
  assert.equal(force.status, 200);
  assert.equal((await h.call('GET', `${PODS}/bound`)).status, 404);
  assert.equal((await h.call('POST', PODS, pod('unbound'))).status, 201);
  await h.call('DELETE', `${PODS}/unbound`);
  assert.equal((await h.call('GET', `${PODS}/unbound`)).status, 404);
});

test('pods/binding assigns a node once (409 after); pods/eviction deletes', async () => {
  const PODS = '/api/v1/namespaces/default/pods';
  await h.call('POST', PODS, { metadata: { name: 'sched' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  const b = await h.call('POST', `${PODS}/sched/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'sched' }, target: { kind: 'Node', name: 'node-1' } });
  assert.equal(b.status, 201);
  assert.equal(b.json.status, 'Success');
  const p = await h.call('GET', `${PODS}/sched`);
  assert.equal(p.json.spec.nodeName, 'node-1');
  assert.ok(p.json.status.conditions.some((x: { type: string; status: string }) => x.type === 'PodScheduled' && x.status === 'True'));
  const again = await h.call('POST', `${PODS}/sched/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'sched' }, target: { kind: 'Node', name: 'node-2' } });
  assert.equal(again.status, 409);
  assert.equal(again.json.message, 'Operation cannot be fulfilled on pods/binding "sched": pod sched is already assigned to node "node-1"');
  await h.call('POST', PODS, { metadata: { name: 'evict' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  const e = await h.call('POST', `${PODS}/evict/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'evict' } });
  assert.equal(e.status, 201);
  assert.equal((await h.call('GET', `${PODS}/evict`)).status, 404);
});

test('PUT creates Endpoints (create-on-update kinds) but not ConfigMaps; POST on all-namespaces is 405', async () => {
  const ep = await h.call('PUT', '/api/v1/namespaces/default/endpoints/put-made', { metadata: { name: 'put-made' }, subsets: [] });
  assert.equal(ep.status, 201);
  assert.equal((await h.call('GET', '/api/v1/namespaces/default/endpoints/put-made')).status, 200);
  assert.equal((await h.call('PUT', `${CMS}/put-missing`, cm('put-missing'))).status, 404);
  assert.equal((await h.call('POST', '/api/v1/configmaps', { metadata: { name: 'x', namespace: 'default' } })).status, 405);
});

test('null members in bodies are dropped, as decoding into Go types does', async () => {
  const r = await h.call('POST', CMS, { metadata: { name: 'nulls', creationTimestamp: null, labels: null }, data: { a: 'b' }, binaryData: null });
  assert.equal(r.status, 201);
  assert.ok(r.json.metadata.creationTimestamp);
  assert.equal('labels' in r.json.metadata, false);
  assert.equal('binaryData' in r.json, false);
});

test('concurrent unconditional patches all land (retried on races, none lost)', async () => {
  await h.call('POST', CMS, cm('race'));
  const n = 30;
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      h.call('PATCH', `${CMS}/race`, { metadata: { labels: { [`l${i}`]: 'x' } } }, { 'content-type': 'application/merge-patch+json' }),
    ),
  );
  assert.deepEqual(results.map((r) => r.status), Array(n).fill(200));
  const g = await h.call('GET', `${CMS}/race`);
  assert.equal(Object.keys(g.json.metadata.labels).length, n);
});

test('only workload kinds carry metadata.generation, as in a real cluster', async () => {
  const s = await h.call('POST', '/api/v1/namespaces/default/services', svc('nogen'));
  assert.equal(s.json.metadata.generation, undefined);
  const c = await h.call('POST', CMS, cm('nogen'));
  assert.equal(c.json.metadata.generation, undefined);
});
