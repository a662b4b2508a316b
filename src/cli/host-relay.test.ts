import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { listenTcpToUnix, listenUnixToTcp } from './host-relay.js';

test('host TCP → unix socket → TCP carries HTTP both ways and closes cleanly', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ksvc-relay-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const backend = createServer((s) => s.on('data', (d) => s.end(`HTTP/1.1 200 OK\r\nContent-Length: ${d.length}\r\nConnection: close\r\n\r\n${d}`)));
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => backend.close(() => r())));
  const sock = join(dir, 'api.sock');
  const inner = await listenUnixToTcp(sock, { host: '127.0.0.1', port: (backend.address() as AddressInfo).port });
  const outer = await listenTcpToUnix({ host: '127.0.0.1', port: 0 }, sock);
  assert.ok(outer.port() > 0);
  const body = await new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: outer.port(), path: '/x', method: 'GET' }, (res) => {
      let b = '';
      res.on('data', (d: Buffer) => (b += d.toString()));
      res.on('end', () => resolve(b));
    });
    req.on('error', reject);
    req.end();
  });
  assert.match(body, /^GET \/x HTTP\/1\.1/);
  await outer.close();
  await inner.close();
  await assert.rejects(
    new Promise((resolve, reject) => request({ host: '127.0.0.1', port: outer.port() || 1, path: '/' }, resolve).on('error', reject).end()),
    /ECONNREFUSED/,
  );
});

test('a relay whose far side is gone drops the client instead of hanging', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ksvc-relay-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const outer = await listenTcpToUnix({ host: '127.0.0.1', port: 0 }, join(dir, 'nobody.sock'));
  t.after(() => outer.close());
  const err = await new Promise<Error>((resolve) => {
    request({ host: '127.0.0.1', port: outer.port(), path: '/' }, () => resolve(new Error('answered'))).on('error', resolve).end();
  });
  assert.match(err.message, /socket hang up|ECONNRESET/);
});
