import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { helloAppHandler, helloAppVersion } from './hello-app.js';
import { listenLoopback, rawRequest } from './raw-request.js';

const logs: string[] = [];
const app = await listenLoopback(helloAppHandler(helloAppVersion('2.0'), 'hello-app-5d7f9c-xyz12', (l) => logs.push(l)));
after(() => app.server.close());

test('the version follows the tag', () => {
  assert.equal(helloAppVersion('1.0'), '1.0.0');
  assert.equal(helloAppVersion('2.0'), '2.0.0');
  assert.equal(helloAppVersion(undefined), '1.0.0');
  assert.equal(helloAppVersion('latest'), '1.0.0');
});

test('Hello, world! / Version / Hostname on any path; logged as Go logs', async () => {
  const r = await rawRequest(app.port, ['GET /anything?q=1 HTTP/1.1', 'Host: h']);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.equal(r.body.toString(), 'Hello, world!\nVersion: 2.0.0\nHostname: hello-app-5d7f9c-xyz12\n');
  assert.match(logs.at(-1) ?? '', /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d Serving request: \/anything$/);
});
