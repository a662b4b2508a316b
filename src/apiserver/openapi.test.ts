// OpenAPI v3 through a real HTTP server on loopback (the handler alone, no apiserver core).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RESOURCES, isReview } from '../api/resources.js';
import { handleOpenApi } from './openapi.js';
import type { OpenApiDocument } from './openapi-document.js';

let server: Server;
let base = '';

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!handleOpenApi(req, res, url)) {
      res.writeHead(599);
      res.end('not handled');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function get(path: string, headers: Record<string, string> = {}) {
  const r = await fetch(base + path, { headers, redirect: 'manual' });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

interface Root {
  paths: Record<string, { serverRelativeURL: string }>;
}

async function root(): Promise<Root> {
  const r = await get('/openapi/v3', { accept: 'application/json, */*' });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/json');
  return JSON.parse(r.text) as Root;
}

async function doc(key: string): Promise<OpenApiDocument> {
  const url = (await root()).paths[key].serverRelativeURL;
  const r = await get(url, { accept: 'application/json' });
  assert.equal(r.status, 200);
  return JSON.parse(r.text) as OpenApiDocument;
}

test('the root names one document per served group-version by a hash URL', async () => {
  const r = await root();
  const keys = [...new Set(RESOURCES.map((x) => (x.group ? `apis/${x.group}/${x.version}` : `api/${x.version}`)))].sort();
  assert.deepEqual(Object.keys(r.paths), keys);
  for (const [k, v] of Object.entries(r.paths)) assert.match(v.serverRelativeURL, new RegExp(`^/openapi/v3/${k.replace(/\./g, '\\.')}\\?hash=[0-9A-F]{128}$`));
});

test('hash URLs are immutable, stale hashes redirect, ETag gives 304', async () => {
  const url = (await root()).paths['api/v1'].serverRelativeURL;
  const hash = url.split('hash=')[1];
  const r = await get(url);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('cache-control'), 'public, immutable');
  assert.ok(Date.parse(r.headers.get('expires') ?? '') > Date.now() + 300 * 24 * 3600 * 1000);
  assert.equal(r.headers.get('etag'), `"${hash}"`);
  assert.equal(r.headers.get('vary'), 'Accept');

  const plain = await get('/openapi/v3/api/v1');
  assert.equal(plain.status, 200);
  assert.equal(plain.headers.get('cache-control'), null);
  assert.equal(plain.text, r.text);

  const stale = await get('/openapi/v3/api/v1?hash=0123');
  assert.equal(stale.status, 301);
  assert.equal(stale.headers.get('location'), url);

  const cached = await get(url, { 'if-none-match': `"${hash}"` });
  assert.equal(cached.status, 304);
  assert.equal(cached.text, '');
});

test('406 for an Accept without JSON; unknown group-versions and /openapi/v2 fall through', async () => {
  assert.equal((await get('/openapi/v3/api/v1', { accept: 'application/com.github.proto-openapi.spec.v3@v1.0+protobuf' })).status, 406);
  assert.equal((await get('/openapi/v3/apis/apps/v2')).status, 599);
  assert.equal((await get('/openapi/v3/apis/nope/v1')).status, 599);
  assert.equal((await get('/openapi/v2', { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' })).status, 599);
});

type Op = { parameters?: { name: string }[]; 'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }; operationId?: string };

test('every PATCH operation carries its kind and a fieldValidation parameter; ids follow kube-apiserver', async () => {
  for (const key of Object.keys((await root()).paths)) {
    const d = await doc(key);
    let patches = 0;
    for (const [path, item] of Object.entries(d.paths)) {
      const patch = (item as Record<string, Op>).patch;
      if (!patch || path.endsWith('/proxy')) continue;
      patches++;
      assert.ok(patch['x-kubernetes-group-version-kind'], `${key} ${path}`);
      assert.ok(patch.parameters?.some((p) => p.name === 'fieldValidation'), `${key} ${path}`);
    }
    // A group-version of reviews only (authorization.k8s.io/v1) has nothing to patch.
    const onlyReviews = RESOURCES.filter((r) => key === `api${r.group ? `s/${r.group}` : ''}/${r.version}`).every(isReview);
    assert.ok(patches > 0 || onlyReviews, key);
  }
  const v1 = await doc('api/v1');
  const svc = v1.paths['/api/v1/namespaces/{namespace}/services/{name}'] as Record<string, Op>;
  assert.equal(svc.patch.operationId, 'patchCoreV1NamespacedService');
  assert.deepEqual(svc.patch['x-kubernetes-group-version-kind'], { group: '', kind: 'Service', version: 'v1' });
  assert.equal((v1.paths['/api/v1/namespaces/{name}'] as Record<string, Op>).get.operationId, 'readCoreV1Namespace');
  assert.equal((v1.paths['/api/v1/services'] as Record<string, Op>).get.operationId, 'listCoreV1ServiceForAllNamespaces');
  // Namespaces have no deletecollection verb, so no DELETE on the collection.
  assert.equal((v1.paths['/api/v1/namespaces'] as Record<string, Op>).delete, undefined);

  const apps = await doc('apis/apps/v1');
  const scale = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'] as Record<string, Op>;
  assert.equal(scale.patch.operationId, 'patchAppsV1NamespacedDeploymentScale');
  assert.deepEqual(scale.patch['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
});

test('each document holds exactly the schemas its paths reach', async () => {
  const v1 = await doc('api/v1');
  const s = v1.components.schemas;
  for (const name of ['io.k8s.api.core.v1.Service', 'io.k8s.api.core.v1.PodSpec', 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    'io.k8s.apimachinery.pkg.util.intstr.IntOrString', 'io.k8s.apimachinery.pkg.api.resource.Quantity', 'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
    'io.k8s.apimachinery.pkg.apis.meta.v1.Patch', 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions', 'io.k8s.api.policy.v1.Eviction']) {
    assert.ok(s[name], name);
  }
  assert.equal(s['io.k8s.api.apps.v1.Deployment'], undefined);
  const coord = await doc('apis/coordination.k8s.io/v1');
  assert.ok(coord.components.schemas['io.k8s.api.coordination.v1.Lease']);
  assert.equal(coord.components.schemas['io.k8s.api.core.v1.PodSpec'], undefined);
  const apps = await doc('apis/apps/v1');
  assert.ok(apps.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
});
