// Edge behaviour of the HTTP transport that the real API server cannot be made to show on demand:
// a kept-alive socket dying under a request, a watch cut mid-event, non-Status error bodies, TLS
// with a bearer token. Small scripted servers on 127.0.0.1 stand in for it (unit test).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { StatusError, notFound } from '../api/errors.js';
import { RESOURCES } from '../api/resources.js';
import { httpTransport } from './http.js';
import type { WatchEvent } from './transport.js';

const CM = RESOURCES.find((r) => r.plural === 'configmaps')!;
type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function serve(handler: Handler, server: http.Server = http.createServer()): Promise<{ url: string; close(): Promise<void> }> {
  server.on('request', handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const proto = server instanceof https.Server ? 'https' : 'http';
  return {
    url: `${proto}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

const json = (res: http.ServerResponse, code: number, body: unknown) => {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

test('a GET on a kept-alive socket that the server drops is retried once on a new connection; a POST is not', async () => {
  let n = 0;
  const s = await serve((req, res) => {
    n++;
    // Every second request on a connection: drop the connection without answering.
    if ((req.socket as { served?: number }).served === 1) return req.socket.destroy();
    (req.socket as { served?: number }).served = 1;
    json(res, req.method === 'POST' ? 201 : 200, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'x', namespace: 'd' } });
  });
  const t = httpTransport({ server: s.url });
  try {
    await t.get(CM, 'd', 'x');
    const again = await t.get(CM, 'd', 'x');
    assert.equal(again.metadata?.name, 'x');
    assert.equal(n, 3, 'the dropped request and its retry');
    // The retry's connection has served one request now: a POST on it is dropped and not retried.
    await assert.rejects(t.create(CM, 'd', { metadata: { name: 'x' } }, {}), (e: NodeJS.ErrnoException) => e.code === 'ECONNRESET');
  } finally {
    t.close();
    await s.close();
  }
});

test('error bodies: a Status keeps its fields; plain text gets the code’s reason; paths and query are client-go’s', async () => {
  const seen: string[] = [];
  const s = await serve((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers['content-type'] ?? ''}`);
    if (req.url?.includes('/missing')) return json(res, 404, notFound({ group: '', resource: 'configmaps' }, 'missing').toStatus());
    res.writeHead(502, { 'Content-Type': 'text/plain' });
    res.end('bad gateway');
  });
  const t = httpTransport({ server: s.url });
  try {
    await assert.rejects(t.get(CM, 'd', 'missing'), (e: StatusError) => e.code === 404 && e.reason === 'NotFound' && e.message === 'configmaps "missing" not found');
    await assert.rejects(
      t.patch(CM, 'd', 'p', 'application/strategic-merge-patch+json', { data: {} }, { fieldManager: 'me', subresource: 'status', dryRun: true }),
      (e: StatusError) => e.code === 502 && e.reason === 'InternalError' && e.message === 'bad gateway',
    );
    assert.deepEqual(seen, [
      'GET /api/v1/namespaces/d/configmaps/missing ',
      'PATCH /api/v1/namespaces/d/configmaps/p/status?dryRun=All&fieldManager=me application/strategic-merge-patch+json',
    ]);
  } finally {
    t.close();
    await s.close();
  }
});

test('a watch cut in the middle of an event ends with an error; a clean end has none', async () => {
  const s = await serve((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write(JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a' } } }) + '\n');
    if (req.url?.includes('labelSelector=cut')) {
      res.write('{"type":"MODIFIED","obj');
      setTimeout(() => req.socket.destroy(), 20);
    } else res.end();
  });
  const t = httpTransport({ server: s.url });
  try {
    for (const [sel, wantErr] of [['cut', true], ['clean', false]] as const) {
      const events: WatchEvent[] = [];
      const ended = new Promise<Error | undefined>((resolve) => {
        void t.watch(CM, { labelSelector: sel }, { onEvent: (e) => events.push(e), onEnd: resolve });
      });
      const err = await ended;
      assert.equal(Boolean(err), wantErr, `${sel}: ${String(err)}`);
      assert.deepEqual(events.map((e) => [e.type, e.object.metadata?.name, e.object.kind]), [['ADDED', 'a', 'ConfigMap']]);
    }
  } finally {
    t.close();
    await s.close();
  }
});

test('https with a trusted CA and a bearer token', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesvc-client-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const cert = readFileSync(join(dir, 'cert.pem'));
    const key = readFileSync(join(dir, 'key.pem'));
    let auth = '';
    const s = await serve((req, res) => {
      auth = req.headers.authorization ?? '';
      json(res, 200, { kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '9' }, items: [{ metadata: { name: 'a' } }] });
    }, https.createServer({ cert, key }));
    const t = httpTransport({ server: s.url, ca: cert, token: 's3cret' });
    try {
      const l = await t.list(CM, {});
      assert.equal(l.resourceVersion, '9');
      assert.deepEqual(l.items, [{ metadata: { name: 'a' }, kind: 'ConfigMap', apiVersion: 'v1' }]);
      assert.equal(auth, 'Bearer s3cret');
      const untrusting = httpTransport({ server: s.url });
      await assert.rejects(untrusting.list(CM, {}), /self[- ]signed/i);
      untrusting.close();
    } finally {
      t.close();
      await s.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
