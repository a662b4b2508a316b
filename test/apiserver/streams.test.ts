// The node agent's plug-in point for streaming subresources.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startServer, type Harness } from './harness.js';

let h: Harness;
const seen: string[] = [];
before(async () => {
  h = await startServer({
    streams: {
      request(_req, res, route) {
        if (route.subresource !== 'log') return false;
        seen.push(`${route.namespace}/${route.name}/${route.subresource}`);
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('hello from the node agent\n');
        return true;
      },
      upgrade(_req, socket, _head, route) {
        seen.push(`upgrade ${route.name}/${route.subresource}`);
        socket.end('HTTP/1.1 418 I\'m a teapot\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return true;
      },
    },
  });
});
after(async () => {
  await h?.close();
});

test('a plugged-in stream handler serves log requests; others still get 503', async () => {
  const r = await h.call('GET', '/api/v1/namespaces/default/pods/p/log?container=c');
  assert.equal(r.status, 200);
  assert.equal(r.text, 'hello from the node agent\n');
  assert.deepEqual(seen, ['default/p/log']);
  const pf = await h.call('GET', '/api/v1/namespaces/default/pods/p/portforward');
  assert.equal(pf.status, 503);
});

test('a plugged-in stream handler takes protocol upgrades', async () => {
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(`${h.base}/api/v1/namespaces/default/pods/p/exec?command=ls`, { headers: { Connection: 'Upgrade', Upgrade: 'websocket' } });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(status, 418);
  assert.ok(seen.includes('upgrade p/exec'));
});
