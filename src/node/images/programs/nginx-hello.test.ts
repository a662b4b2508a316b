import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { nginxHelloHandler } from './nginx-hello.js';
import { listenLoopback, rawRequest } from './raw-request.js';

const logs: string[] = [];
const plain = await listenLoopback(nginxHelloHandler(true, 'web-abc', (l) => logs.push(l)));
const html = await listenLoopback(nginxHelloHandler(false, 'web-abc', () => {}));
after(() => {
  plain.server.close();
  html.server.close();
});

test('plain-text: server address and port, server name, date, URI, request id; not cached', async () => {
  const r = await rawRequest(plain.port, ['GET /some/path?x=1 HTTP/1.1', 'Host: h']);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/plain');
  assert.equal(r.headers.get('cache-control'), 'no-cache');
  assert.ok(r.headers.has('expires'));
  assert.match(
    r.body.toString(),
    new RegExp(`^Server address: 127\\.0\\.0\\.1:${plain.port}\nServer name: web-abc\nDate: \\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d [+-]\\d{4}\nURI: /some/path\\?x=1\nRequest ID: [0-9a-f]{32}\n$`),
  );
  assert.match(logs.at(-1) ?? '', /"GET \/some\/path\?x=1 HTTP\/1\.1" 200 \d+ "-" "-"$/);
});

test('HTML page carries the same fields, the client address with its port, escaped', async () => {
  const r = await rawRequest(html.port, ['GET /<x> HTTP/1.1', 'Host: h']);
  const page = r.body.toString();
  assert.equal(r.headers.get('content-type'), 'text/html');
  assert.match(page, /<title>Hello World<\/title>/);
  assert.match(page, /Server&nbsp;name:<\/th><td>web-abc</);
  assert.match(page, new RegExp(`Server&nbsp;address:</th><td>127\\.0\\.0\\.1:${html.port}<`));
  assert.match(page, /URI:<\/th><td>\/&lt;x&gt;</);
  assert.match(page, /Client&nbsp;IP:<\/th><td>127\.0\.0\.1:\d+</);
});
