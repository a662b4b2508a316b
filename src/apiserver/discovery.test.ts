// Discovery through a real HTTP server on loopback (the handler alone, no apiserver core).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RESOURCES } from '../api/resources.js';
import { handleDiscovery } from './discovery.js';
import type { APIGroupDiscoveryList, APIResourceList } from './discovery-documents.js';

let server: Server;
let base = '';

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!handleDiscovery(req, res, url)) {
      res.writeHead(599);
      res.end('not handled');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const AGG_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const AGG_V2B1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';
const KUBECTL_ACCEPT = `${AGG_V2},${AGG_V2B1},application/json`;

async function get(path: string, headers: Record<string, string> = {}) {
  const r = await fetch(base + path, { headers });
  const text = await r.text();
  return { status: r.status, headers: r.headers, text, json: () => JSON.parse(text) as unknown };
}

test('GET /api with kubectl Accept: aggregated v2 with the exact Content-Type and an ETag', async () => {
  const r = await get('/api?timeout=32s', { accept: KUBECTL_ACCEPT });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), AGG_V2);
  assert.match(r.headers.get('etag') ?? '', /^"[0-9A-F]{128}"$/);
  assert.equal(r.headers.get('vary'), 'Accept');
  const doc = r.json() as APIGroupDiscoveryList;
  assert.equal(doc.kind, 'APIGroupDiscoveryList');
  assert.equal(doc.apiVersion, 'apidiscovery.k8s.io/v2');
  assert.equal(doc.items.length, 1);
  assert.deepEqual(doc.items[0].metadata, { creationTimestamp: null });
  const v1 = doc.items[0].versions[0];
  assert.equal(v1.version, 'v1');
  assert.equal(v1.freshness, 'Current');
  const svc = v1.resources.find((x) => x.resource === 'services');
  assert.deepEqual(svc, {
    resource: 'services',
    responseKind: { group: '', version: '', kind: 'Service' },
    scope: 'Namespaced',
    singularResource: 'service',
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['svc'],
    categories: ['all'],
    subresources: [
      { subresource: 'proxy', responseKind: { group: '', version: '', kind: 'ServiceProxyOptions' }, verbs: ['create', 'delete', 'get', 'patch', 'update'] },
      { subresource: 'status', responseKind: { group: '', version: '', kind: 'Service' }, verbs: ['get', 'patch', 'update'] },
    ],
  });
  const ns = v1.resources.find((x) => x.resource === 'namespaces');
  assert.equal(ns?.scope, 'Cluster');
  const pods = v1.resources.find((x) => x.resource === 'pods');
  assert.deepEqual(pods?.subresources?.find((s) => s.subresource === 'log'), {
    subresource: 'log',
    responseKind: { group: '', version: '', kind: 'Pod' },
    verbs: ['get'],
  });
  assert.deepEqual(pods?.subresources?.find((s) => s.subresource === 'eviction')?.responseKind, { group: 'policy', version: 'v1', kind: 'Eviction' });
});

test('If-None-Match with the ETag gives 304; v2beta1 is served when asked for', async () => {
  const first = await get('/apis', { accept: KUBECTL_ACCEPT });
  const etag = first.headers.get('etag') ?? '';
  const again = await get('/apis', { accept: KUBECTL_ACCEPT, 'if-none-match': etag });
  assert.equal(again.status, 304);
  assert.equal(again.text, '');
  const beta = await get('/apis', { accept: `${AGG_V2B1},application/json` });
  assert.equal(beta.headers.get('content-type'), AGG_V2B1);
  assert.equal((beta.json() as APIGroupDiscoveryList).apiVersion, 'apidiscovery.k8s.io/v2beta1');
  assert.notEqual(beta.headers.get('etag'), etag);
  const yaml = await get('/apis', { accept: 'application/yaml;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' });
  assert.equal(yaml.headers.get('content-type'), 'application/yaml;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  assert.match(yaml.text, /^kind: APIGroupDiscoveryList\napiVersion: apidiscovery.k8s.io\/v2\n/);
  // A Table request is not an aggregated-discovery request: legacy discovery answers it.
  const table = await get('/apis', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
  assert.equal(table.headers.get('content-type'), 'application/json');
  assert.equal((table.json() as { kind: string }).kind, 'APIGroupList');
});

test('GET /apis aggregated lists every named group from RESOURCES, with deployments/scale as autoscaling/v1 Scale', async () => {
  const doc = (await get('/apis', { accept: AGG_V2 })).json() as APIGroupDiscoveryList;
  const groups = doc.items.map((i) => i.metadata.name);
  const expected = [...new Set(RESOURCES.filter((r) => r.group).map((r) => r.group))];
  assert.deepEqual(groups, expected);
  const apps = doc.items.find((i) => i.metadata.name === 'apps');
  const deploy = apps?.versions[0].resources.find((r) => r.resource === 'deployments');
  assert.deepEqual(deploy?.shortNames, ['deploy']);
  assert.deepEqual(deploy?.subresources?.find((s) => s.subresource === 'scale'), {
    subresource: 'scale',
    responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
    verbs: ['get', 'patch', 'update'],
  });
});

test('legacy discovery: /api, /apis, /apis/apps, /api/v1, /apis/apps/v1', async () => {
  const api = await get('/api', { accept: 'application/json' });
  assert.equal(api.headers.get('content-type'), 'application/json');
  assert.deepEqual((api.json() as { versions: string[] }).versions, ['v1']);

  const apis = (await get('/apis')).json() as { kind: string; groups: { name: string; preferredVersion: { groupVersion: string } }[] };
  assert.equal(apis.kind, 'APIGroupList');
  assert.deepEqual(apis.groups.find((g) => g.name === 'apps')?.preferredVersion, { groupVersion: 'apps/v1', version: 'v1' });

  const apps = (await get('/apis/apps')).json() as { kind: string; name: string };
  assert.equal(apps.kind, 'APIGroup');
  assert.equal(apps.name, 'apps');

  const v1 = (await get('/api/v1')).json() as APIResourceList;
  assert.equal(v1.kind, 'APIResourceList');
  assert.equal(v1.groupVersion, 'v1');
  assert.equal(v1.apiVersion, undefined);
  const names = v1.resources.map((r) => r.name);
  assert.deepEqual(names, [...names].sort());
  for (const r of RESOURCES.filter((x) => x.group === '')) assert.ok(names.includes(r.plural), r.plural);
  assert.deepEqual(v1.resources.find((r) => r.name === 'pods/exec'), {
    name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'],
  });
  assert.deepEqual(v1.resources.find((r) => r.name === 'endpoints'), {
    name: 'endpoints', singularName: 'endpoints', namespaced: true, kind: 'Endpoints',
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['ep'],
  });

  const appsV1 = (await get('/apis/apps/v1', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' })).json() as APIResourceList;
  assert.equal(appsV1.apiVersion, 'v1');
  assert.equal(appsV1.groupVersion, 'apps/v1');
  assert.deepEqual(appsV1.resources.find((r) => r.name === 'deployments/scale'), {
    name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'],
  });
});

test('YAML on request; 406 Status when nothing acceptable; unknown paths fall through', async () => {
  const y = await get('/api/v1', { accept: 'application/yaml' });
  assert.equal(y.headers.get('content-type'), 'application/yaml');
  assert.match(y.text, /^kind: APIResourceList\n/);

  const bad = await get('/api/v1', { accept: 'text/html' });
  assert.equal(bad.status, 406);
  assert.deepEqual(bad.json(), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: 'only the following media types are accepted: application/json, application/yaml',
    reason: 'NotAcceptable', code: 406,
  });
  // An aggregated version we do not serve, and nothing else acceptable.
  assert.equal((await get('/apis', { accept: 'application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList' })).status, 406);

  for (const p of ['/api/v2', '/apis/nope', '/apis/apps/v2', '/api/v1/services', '/apis/apps/v1/deployments', '/healthz']) {
    assert.equal((await get(p)).status, 599, p);
  }
  const head = await fetch(base + '/api/v1', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-type'), 'application/json');
  assert.ok(Number(head.headers.get('content-length')) > 100);
  assert.equal(await head.text(), '');
  const post = await fetch(base + '/api', { method: 'POST' });
  assert.equal(post.status, 599);
  await post.text();
});
