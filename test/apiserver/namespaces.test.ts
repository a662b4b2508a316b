// Bootstrap and the namespace life cycle through HTTP.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiServer } from '../../src/apiserver/index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../../src/registry/types.js';
import { silentLogger } from '../../src/util/log.js';
import { cm, startServer, type Harness } from './harness.js';

let h: Harness;
before(async () => {
  h = await startServer({ advertiseAddress: '127.0.0.1', advertisePort: 6443 });
});
after(async () => {
  await h?.close();
});

async function until<T>(f: () => Promise<T | undefined>, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('bootstrap creates the system namespaces and the kubernetes Service with its endpoints', async () => {
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    const r = await h.call('GET', `/api/v1/namespaces/${ns}`);
    assert.equal(r.status, 200, ns);
    assert.equal(r.json.status.phase, 'Active');
  }
  const s = await h.call('GET', '/api/v1/namespaces/default/services/kubernetes');
  assert.equal(s.json.spec.clusterIP, '10.96.0.1');
  assert.deepEqual(
    s.json.spec.ports.map((p: { name: string; port: number; targetPort: number; protocol: string }) => [p.name, p.port, p.targetPort, p.protocol]),
    [['https', 443, 6443, 'TCP']],
  );
  const ep = await h.call('GET', '/api/v1/namespaces/default/endpoints/kubernetes');
  assert.equal(ep.json.subsets[0].addresses[0].ip, '127.0.0.1');
  assert.equal(ep.json.subsets[0].ports[0].port, 6443);
  const sl = await h.call('GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkubernetes');
  assert.equal(sl.json.items.length, 1);
});

test('bootstrap is idempotent across restarts on the same store', async () => {
  const before = await h.call('GET', '/api/v1/namespaces/default/services/kubernetes');
  const again = createApiServer({ store: h.store, logger: silentLogger, registryConfig: DEFAULT_REGISTRY_CONFIG, advertiseAddress: '127.0.0.1', advertisePort: 6443 });
  try {
    await again.ready;
    const s = await again.registry.get('/services', 'default', 'kubernetes');
    assert.equal(s.metadata.uid, before.json.metadata.uid);
    assert.equal(s.metadata.resourceVersion, before.json.metadata.resourceVersion);
    assert.equal((await again.registry.list('/namespaces')).items.length >= 4, true);
  } finally {
    await again.close();
  }
});

test('the system namespaces cannot be deleted', async () => {
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    const r = await h.call('DELETE', `/api/v1/namespaces/${ns}`);
    assert.equal(r.status, 403);
    assert.equal(r.json.reason, 'Forbidden');
    assert.equal(r.json.message, `namespaces "${ns}" is forbidden: this namespace may not be deleted`);
  }
});

test('deleting a namespace makes it Terminating, empties it, then it disappears', async () => {
  const c = await h.call('POST', '/api/v1/namespaces', { metadata: { name: 'doomed' } });
  assert.deepEqual(c.json.spec.finalizers, ['kubernetes']);
  await h.call('POST', '/api/v1/namespaces/doomed/configmaps', cm('a'));
  await h.call('POST', '/api/v1/namespaces/doomed/services', { metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } });
  const d = await h.call('DELETE', '/api/v1/namespaces/doomed', { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
  assert.equal(d.status, 200);
  assert.equal(d.json.status.phase, 'Terminating');
  assert.ok(d.json.metadata.deletionTimestamp);
  const started = Date.now();
  await until(async () => ((await h.call('GET', '/api/v1/namespaces/doomed')).status === 404 ? true : undefined));
  assert.ok(Date.now() - started < 2000);
  assert.equal((await h.call('GET', '/api/v1/namespaces/doomed/configmaps')).json.items.length, 0);
  assert.equal((await h.call('GET', '/api/v1/namespaces/doomed/services')).json.items.length, 0);
});

test('a terminating namespace refuses new content with 403; it waits for finalizers inside it', async () => {
  await h.call('POST', '/api/v1/namespaces', { metadata: { name: 'held' } });
  await h.call('POST', '/api/v1/namespaces/held/configmaps', { metadata: { name: 'f', finalizers: ['example.com/x'] } });
  await h.call('DELETE', '/api/v1/namespaces/held');
  const r = await h.call('POST', '/api/v1/namespaces/held/configmaps', cm('late'));
  assert.equal(r.status, 403);
  assert.equal(r.json.message, 'configmaps "late" is forbidden: unable to create new content in namespace held because it is being terminated');
  await new Promise((res) => setTimeout(res, 300));
  assert.equal((await h.call('GET', '/api/v1/namespaces/held')).status, 200);
  const f = await until(async () => {
    const g = await h.call('GET', '/api/v1/namespaces/held/configmaps/f');
    return g.json.metadata.deletionTimestamp ? g : undefined;
  });
  assert.ok(f.json.metadata.deletionTimestamp);
  await h.call('PATCH', '/api/v1/namespaces/held/configmaps/f', { metadata: { finalizers: null } }, { 'content-type': 'application/merge-patch+json' });
  await until(async () => ((await h.call('GET', '/api/v1/namespaces/held')).status === 404 ? true : undefined), 4000);
});

test('a deleted kubernetes Service is put back', async () => {
  const h2 = await startServer({ bootstrapIntervalMs: 100 });
  try {
    const before = await h2.call('GET', '/api/v1/namespaces/default/services/kubernetes');
    assert.equal((await h2.call('DELETE', '/api/v1/namespaces/default/services/kubernetes')).status, 200);
    const back = await until(async () => {
      const r = await h2.call('GET', '/api/v1/namespaces/default/services/kubernetes');
      return r.status === 200 ? r : undefined;
    });
    assert.notEqual(back.json.metadata.uid, before.json.metadata.uid);
    assert.equal(back.json.spec.clusterIP, '10.96.0.1');
  } finally {
    await h2.close();
  }
});

test('without advertisePort the kubernetes Endpoints carry the bound port', async () => {
  const h3 = await startServer();
  try {
    const port = h3.api.port();
    const ep = await until(async () => {
      const r = await h3.call('GET', '/api/v1/namespaces/default/endpoints/kubernetes');
      return r.json.subsets?.[0]?.ports?.[0]?.port === port ? r : undefined;
    });
    assert.equal(ep.json.subsets[0].addresses[0].ip, '127.0.0.1');
  } finally {
    await h3.close();
  }
});
