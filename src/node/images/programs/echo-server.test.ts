import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { canonicalHeaderKey, echoServerHandler } from './echo-server.js';
import { listenLoopback, rawRequest } from './raw-request.js';

const logs: string[] = [];
const plain = await listenLoopback(echoServerHandler({}, 'hello-minikube-6496f4fd45-hv4l9', (l) => logs.push(l)));
const quiet = await listenLoopback(echoServerHandler({ SEND_SERVER_HOSTNAME: 'false' }, 'x', () => {}));
after(() => {
  plain.server.close();
  quiet.server.close();
});

test("Go's canonical header keys", () => {
  assert.equal(canonicalHeaderKey('user-agent'), 'User-Agent');
  assert.equal(canonicalHeaderKey('X-FORWARDED-FOR'), 'X-Forwarded-For');
  assert.equal(canonicalHeaderKey('dnt'), 'Dnt');
});

test('Request served by <hostname>, proto method target, Host first, then sorted canonical headers', async () => {
  const r = await rawRequest(plain.port, ['GET /hello?x=1 HTTP/1.1', 'Host: 192.168.49.2:30763', 'user-agent: curl/8.5.0', 'Accept: */*']);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/plain');
  assert.equal(
    r.body.toString(),
    'Request served by hello-minikube-6496f4fd45-hv4l9\n\nHTTP/1.1 GET /hello?x=1\n\nHost: 192.168.49.2:30763\nAccept: */*\nConnection: close\nUser-Agent: curl/8.5.0\n',
  );
  assert.match(logs.at(-1) ?? '', /^127\.0\.0\.1:\d+ \| GET \/hello\?x=1$/);
});

test('a body follows a blank line; repeated headers one line each; SEND_SERVER_HOSTNAME=false and the header switch the first line', async () => {
  const r = await rawRequest(quiet.port, ['POST / HTTP/1.1', 'Host: h', 'X-B: 1', 'X-B: 2', 'Content-Length: 3'], Buffer.from('abc'));
  assert.equal(r.body.toString(), 'HTTP/1.1 POST /\n\nHost: h\nConnection: close\nContent-Length: 3\nX-B: 1\nX-B: 2\n\nabc');
  const off = await rawRequest(plain.port, ['GET / HTTP/1.1', 'Host: h', 'X-Send-Server-Hostname: false']);
  assert.ok(off.body.toString().startsWith('HTTP/1.1 GET /\n'));
  const on = await rawRequest(quiet.port, ['GET / HTTP/1.1', 'Host: h', 'X-Send-Server-Hostname: true']);
  assert.ok(on.body.toString().startsWith('Request served by x\n\n'));
});
