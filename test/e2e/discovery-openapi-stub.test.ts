// The real kubectl against a loopback server that serves only /version, discovery and OpenAPI
// (the real handlers) plus a minimal in-memory Service collection, so discovery and OpenAPI are
// checked on their own: api-resources, short names, explain, and apply's OpenAPI round trip
// (GET /openapi/v3, GET the api/v1 document by its hash URL, then the create with
// fieldValidation=Strict). Temp dirs and kubectl processes are cleaned up even on failure.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESOURCES, apiVersionOf } from '../../src/api/resources.js';
import { handleDiscovery } from '../../src/apiserver/discovery.js';
import { handleOpenApi } from '../../src/apiserver/openapi.js';

const KUBECTL = '/usr/bin/kubectl';

interface Seen {
  method: string;
  url: string;
  accept: string;
  ifNoneMatch: string;
  status?: number;
}

let server: Server;
let dir = '';
let env: Record<string, string> = {};
const seen: Seen[] = [];
const services = new Map<string, Record<string, unknown>>();

function json(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function notFound(res: ServerResponse, name: string): void {
  json(res, 404, {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `services "${name}" not found`,
    reason: 'NotFound', details: { name, kind: 'services' }, code: 404,
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// Just enough of the Service REST API for `get svc` and a client-side `apply` of a new Service.
async function serviceStub(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const m = /^\/api\/v1\/namespaces\/([^/]+)\/services(?:\/([^/]+))?$/.exec(url.pathname);
  if (!m) return json(res, 404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', code: 404 });
  const [, ns, name] = m;
  if (req.method === 'GET' && !name) {
    return json(res, 200, { kind: 'ServiceList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [...services.values()].filter((s) => (s.metadata as { namespace: string }).namespace === ns) });
  }
  if (req.method === 'GET' && name) {
    const s = services.get(`${ns}/${name}`);
    return s ? json(res, 200, s) : notFound(res, name);
  }
  if (req.method === 'POST' && !name) {
    const obj = JSON.parse(await readBody(req)) as Record<string, unknown> & { metadata: Record<string, unknown> };
    obj.metadata = { ...obj.metadata, namespace: ns, uid: 'u-1', resourceVersion: '2', creationTimestamp: '2026-01-01T00:00:00Z' };
    services.set(`${ns}/${obj.metadata.name as string}`, obj);
    return json(res, 201, obj);
  }
  json(res, 405, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'not in this stub', reason: 'MethodNotAllowed', code: 405 });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubesvc-disco-'));
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const entry: Seen = { method: req.method ?? '', url: req.url ?? '', accept: String(req.headers.accept ?? ''), ifNoneMatch: String(req.headers['if-none-match'] ?? '') };
    seen.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    if (url.pathname === '/version') {
      return json(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' });
    }
    if (handleDiscovery(req, res, url) || handleOpenApi(req, res, url)) return;
    serviceStub(req, res, url).catch((e: unknown) => json(res, 500, { message: String(e) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: stub, cluster: {server: "http://127.0.0.1:' + port + '"}}]',
      'users: [{name: stub, user: {}}]',
      'contexts: [{name: stub, context: {cluster: stub, user: stub, namespace: default}}]',
      'current-context: stub',
      '',
    ].join('\n'),
  );
  env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'cache') };
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await rm(dir, { recursive: true, force: true });
});

function kubectl(args: string[], stdin?: string, extraEnv: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(KUBECTL, args, { env: { ...env, ...extraEnv }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin ?? '');
  });
}

function ok(r: { code: number | null; stdout: string; stderr: string }): string {
  assert.equal(r.code, 0, `kubectl failed: ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

describe('kubectl against discovery + OpenAPI (stub REST)', () => {
  test('api-resources lists every served kind with short names, group-version, scope and kind', async () => {
    const out = ok(await kubectl(['api-resources']));
    const rows = out.trim().split('\n').map((l) => l.trim().split(/\s+/));
    assert.deepEqual(rows[0], ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
    assert.equal(rows.length - 1, RESOURCES.length, out);
    for (const r of RESOURCES) {
      const expected = [r.plural, ...r.shortNames, apiVersionOf(r), String(r.namespaced), r.kind];
      assert.ok(rows.some((row) => row.join(' ') === expected.join(' ')), `missing ${expected.join(' ')} in\n${out}`);
    }
    // Aggregated discovery was used: no per-group-version requests.
    assert.ok(!seen.some((s) => s.url.startsWith('/api/v1') || s.url.startsWith('/apis/apps')), JSON.stringify(seen));
  });

  test('get svc resolves the short name to the services collection', async () => {
    seen.length = 0;
    const r = await kubectl(['get', 'svc']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(seen.some((s) => s.method === 'GET' && s.url.startsWith('/api/v1/namespaces/default/services?')), JSON.stringify(seen));
  });

  test('kubectl revalidates its cached aggregated discovery by ETag and gets 304', async () => {
    const cacheEnv = { KUBECACHEDIR: join(dir, 'cache-etag') };
    ok(await kubectl(['api-resources'], '', cacheEnv));
    // --cached=false makes kubectl ask again; its HTTP cache sends the stored ETag.
    seen.length = 0;
    ok(await kubectl(['api-resources', '--cached=false'], '', cacheEnv));
    const apis = seen.filter((s) => s.url.startsWith('/apis?') || s.url.startsWith('/api?'));
    assert.ok(apis.length >= 2, JSON.stringify(seen));
    for (const s of apis) {
      assert.match(s.ifNoneMatch, /^"[0-9A-F]{128}"$/, JSON.stringify(s));
      assert.equal(s.status, 304, JSON.stringify(s));
    }
  });

  test('explain service.spec.ports prints the field docs from the generated schemas', async () => {
    const out = ok(await kubectl(['explain', 'service.spec.ports']));
    for (const re of [
      /^KIND:\s+Service$/m,
      /^VERSION:\s+v1$/m,
      /^FIELD: ports <\[\]ServicePort>$/m,
      /The list of ports that are exposed by this service\./,
      /^ {2}port\t<integer> -required-$/m,
      /^ {2}protocol\t<string>$/m,
      /^ {2}targetPort\t<IntOrString>$/m,
    ]) {
      assert.match(out, re);
    }
  });

  test('explain svc.spec.type lists the enum values', async () => {
    const out = ok(await kubectl(['explain', 'svc.spec.type']));
    assert.match(out, /^FIELD: type <string>\nENUM:\n {4}ClusterIP\n {4}ExternalName\n {4}LoadBalancer\n {4}NodePort$/m);
  });

  test('explain deploy.spec.template.spec.containers (apps/v1, short name, nested refs)', async () => {
    const out = ok(await kubectl(['explain', 'deploy.spec.template.spec.containers']));
    assert.match(out, /^GROUP:\s+apps$/m);
    assert.match(out, /^KIND:\s+Deployment$/m);
    assert.match(out, /^FIELD: containers <\[\]Container>$/m);
    assert.match(out, /^ {2}image\t<string>$/m);
    assert.match(out, /^ {2}name\t<string> -required-$/m);
  });

  test('apply -f of a Service fetches /openapi/v3 and the api/v1 document, then creates with fieldValidation=Strict', async () => {
    seen.length = 0;
    // A cache of its own, so this kubectl has not seen the api/v1 document yet.
    const cacheEnv = { KUBECACHEDIR: join(dir, 'cache-apply') };
    const yaml = [
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      '  name: my-app',
      'spec:',
      '  selector: {app: web}',
      '  ports:',
      '  - {name: http, port: 80, targetPort: 8080}',
      '',
    ].join('\n');
    const out = ok(await kubectl(['apply', '-f', '-'], yaml, cacheEnv));
    assert.match(out, /^service\/my-app created$/m);
    const urls = seen.map((s) => `${s.method} ${s.url.replace(/[?&]timeout=[^&]*/, '')}`);
    const iRoot = urls.indexOf('GET /openapi/v3');
    const iDoc = urls.findIndex((u) => /^GET \/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/.test(u));
    const iPost = urls.findIndex((u) => u.startsWith('POST /api/v1/namespaces/default/services?') && u.includes('fieldValidation=Strict'));
    assert.ok(iRoot >= 0 && iDoc > iRoot && iPost > iDoc, urls.join('\n'));
    // The v3 document answered everything: kubectl never fell back to /openapi/v2.
    assert.ok(!urls.some((u) => u.startsWith('GET /openapi/v2')), urls.join('\n'));

    // The hash URL was served as immutable, so the next command reuses kubectl's cached copy.
    seen.length = 0;
    ok(await kubectl(['apply', '-f', '-'], yaml.replace('my-app', 'my-app-2'), cacheEnv));
    const again = seen.map((s) => `${s.method} ${s.url}`);
    assert.ok(again.some((u) => u.startsWith('GET /openapi/v3?')), again.join('\n'));
    assert.ok(!again.some((u) => u.startsWith('GET /openapi/v3/api/v1')), again.join('\n'));
  });

  test('create -f leaves validation to the server (fieldValidation=Strict), found from the v3 PATCH operation', async () => {
    seen.length = 0;
    const yaml = 'apiVersion: v1\nkind: Service\nmetadata: {name: other}\nspec: {ports: [{port: 81}]}\n';
    ok(await kubectl(['create', '-f', '-'], yaml));
    assert.ok(seen.some((s) => s.method === 'POST' && s.url.includes('fieldValidation=Strict')), JSON.stringify(seen));
  });
});
