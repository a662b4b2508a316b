import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { echoserverHandler, echoserverStyle } from './echoserver.js';
import { listenLoopback, rawRequest } from './raw-request.js';

const logs: string[] = [];
const env = { HOSTNAME: 'source-ip-app-7c9d8f-abcde' };
const v110 = await listenLoopback(echoserverHandler(echoserverStyle('1.10'), env, (l) => logs.push(l)));
const v14 = await listenLoopback(echoserverHandler(echoserverStyle('1.4'), env, (l) => logs.push(l)));
const withPod = await listenLoopback(
  echoserverHandler(echoserverStyle(undefined), { HOSTNAME: 'echo-1', POD_NAME: 'echo-1', NODE_NAME: 'node-a', POD_NAMESPACE: 'default', POD_IP: '10.244.0.7' }, () => {}),
);
after(() => {
  for (const s of [v110, v14, withPod]) s.server.close();
});

const curl = (port: number, path = '/') => [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'User-Agent: curl/7.88.1', 'Accept: */*'];

test('tags pick the format: 1.4 and older the CLIENT VALUES page, 1.8 and later (and untagged) the 1.10 page', () => {
  assert.equal(echoserverStyle('1.4').legacy, true);
  assert.equal(echoserverStyle('1.0').legacy, true);
  assert.equal(echoserverStyle('1.10').legacy, false);
  assert.equal(echoserverStyle('1.8').legacy, false);
  assert.equal(echoserverStyle(undefined).legacy, false);
});

test('1.10: Hostname, no pod information, the peer as client_address, sorted lower-case headers, no body', async () => {
  const r = await rawRequest(v110.port, curl(v110.port, '/'));
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('server'), 'echoserver');
  assert.equal(r.headers.get('content-type'), 'text/plain');
  assert.equal(
    r.body.toString(),
    '\n\nHostname: source-ip-app-7c9d8f-abcde\n\nPod Information:\n\t-no pod information available-\n\n' +
      'Server values:\n\tserver_version=nginx: 1.13.3 - lua: 10008\n\n' +
      `Request Information:\n\tclient_address=127.0.0.1\n\tmethod=GET\n\treal path=/\n\tquery=\n\trequest_version=1.1\n\trequest_scheme=http\n\trequest_uri=http://127.0.0.1:${v110.port}/\n\n` +
      `Request Headers:\n\taccept=*/*\n\tconnection=close\n\thost=127.0.0.1:${v110.port}\n\tuser-agent=curl/7.88.1\n\n` +
      'Request Body:\n\t-no body in request-\n\n',
  );
  assert.match(logs.at(-1) ?? '', /^127\.0\.0\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "GET \/ HTTP\/1\.1" 200 \d+ "-" "curl\/7\.88\.1"$/);
});

test('1.10: query, body and HTML escaping; pod information from the downward-API variables', async () => {
  const body = Buffer.from('{"a":"<b>"}');
  const r = await rawRequest(withPod.port, ['POST /x?y=1&z HTTP/1.1', 'Host: Echo.Example:31000', 'Content-Type: application/json', `Content-Length: ${body.length}`], body);
  const text = r.body.toString();
  assert.match(text, /Pod Information:\n\tnode name:\tnode-a\n\tpod name:\techo-1\n\tpod namespace:\tdefault\n\tpod IP:\t10\.244\.0\.7\n\nServer values:/);
  assert.match(text, /\treal path=\/x\?y=1&amp;z\n\tquery=y=1&amp;z\n/);
  assert.match(text, new RegExp(`\trequest_uri=http://echo\\.example:${withPod.port}/x\\?y=1&amp;z\n`));
  assert.match(text, /\tcontent-type=application\/json\n/);
  assert.ok(text.endsWith('\nRequest Body:\n{&quot;a&quot;:&quot;&lt;b&gt;&quot;}\n\n'), text);
});

test('1.10: a body over nginx in-memory buffer (8 KiB) is not shown; HTTP/1.0 shows as 1', async () => {
  const big = Buffer.alloc(9000, 'x');
  const r = await rawRequest(v110.port, ['PUT / HTTP/1.0', 'Host: h', `Content-Length: ${big.length}`], big);
  const text = r.body.toString();
  assert.match(text, /\trequest_version=1\n/);
  assert.ok(text.endsWith('Request Body:\n\t-no body in request-\n\n'));
});

test('1.4: CLIENT VALUES / SERVER VALUES / HEADERS RECEIVED / BODY, query=nil, body last without a newline', async () => {
  const r = await rawRequest(v14.port, curl(v14.port, '/'));
  assert.equal(r.headers.get('server'), 'nginx/1.10.0');
  assert.equal(
    r.body.toString(),
    `CLIENT VALUES:\nclient_address=127.0.0.1\ncommand=GET\nreal path=/\nquery=nil\nrequest_version=1.1\nrequest_uri=http://127.0.0.1:${v14.port}/\n\n` +
      'SERVER VALUES:\nserver_version=nginx: 1.10.0 - lua: 10001\n\n' +
      `HEADERS RECEIVED:\naccept=*/*\nconnection=close\nhost=127.0.0.1:${v14.port}\nuser-agent=curl/7.88.1\nBODY:\n-no body in request-`,
  );
  const q = await rawRequest(v14.port, ['POST /xyz?abc=123 HTTP/1.1', 'Host: localhost', 'X-A: 1', 'x-a: 2', 'Content-Length: 5'], Buffer.from('hello'));
  const t = q.body.toString();
  assert.match(t, /\nreal path=\/xyz\?abc=123\nquery=abc=123\n/);
  assert.match(t, new RegExp(`\nrequest_uri=http://localhost:${v14.port}/xyz\\?abc=123\n`));
  assert.match(t, /\nx-a=12\n/);
  assert.ok(t.endsWith('\nBODY:\nhello'));
});
