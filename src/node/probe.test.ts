import assert from 'node:assert/strict';
import { createServer as createH2 } from 'node:http2';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { runProbe } from './probe.js';

const noExec = async () => ({ exitCode: 1, output: '' });

test('httpGet: 200-399 pass, others fail with the kubelet text; named ports resolve', async (t) => {
  const srv = createServer((req, res) => res.writeHead(req.url === '/bad' ? 500 : 200).end()).listen(0, '127.0.0.1');
  t.after(() => srv.close());
  await new Promise((r) => srv.once('listening', r));
  const port = (srv.address() as AddressInfo).port;
  const c = { name: 'c', ports: [{ name: 'http', containerPort: port }] };
  assert.deepEqual(await runProbe({ httpGet: { path: '/', port: 'http' } }, '127.0.0.1', c, noExec), { ok: true });
  assert.deepEqual(await runProbe({ httpGet: { path: '/bad', port } }, '127.0.0.1', c, noExec), { ok: false, message: 'HTTP probe failed with statuscode: 500' });
  const refused = await runProbe({ tcpSocket: { port: 1 } }, '127.0.0.1', c, noExec);
  assert.deepEqual(refused, { ok: false, message: 'dial tcp 127.0.0.1:1: connect: connection refused' });
});

test('grpc: grpc.health.v1 Check, SERVING passes, NOT_SERVING fails', async (t) => {
  let status = 1;
  let asked = '';
  const srv = createH2((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks).subarray(5);
      asked = body.length > 2 ? body.subarray(2).toString() : '';
      res.writeHead(200, { 'content-type': 'application/grpc' });
      res.end(Buffer.from([0, 0, 0, 0, 2, 0x08, status]));
    });
  }).listen(0, '127.0.0.1');
  t.after(() => srv.close());
  await new Promise((r) => srv.once('listening', r));
  const port = (srv.address() as AddressInfo).port;
  assert.deepEqual(await runProbe({ grpc: { port, service: 'web' } }, '127.0.0.1', { name: 'c' }, noExec), { ok: true });
  assert.equal(asked, 'web');
  status = 2;
  assert.deepEqual(await runProbe({ grpc: { port } }, '127.0.0.1', { name: 'c' }, noExec), { ok: false, message: 'service unhealthy (responded with "NOT_SERVING")' });
});
