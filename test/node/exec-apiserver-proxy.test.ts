// The apiserver half of exec/attach/port-forward (src/apiserver/node-streams.ts, stream-proxy.ts)
// against a stand-in node agent on loopback: kube-apiserver's checks and texts before any upgrade,
// the kubelet-style path and parameters the agent receives, bytes passed both ways after the 101,
// the agent's plain-text refusal passed through, and a 503 Status when the agent is unreachable.
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { after, before, test } from 'node:test';
import { startServer, type Harness } from '../apiserver/harness.js';

let h: Harness;
let agent: Server;
const seen: { url: string; headers: IncomingMessage['headers'] }[] = [];
const agentSockets = new Set<Duplex>();

before(async () => {
  h = await startServer();
  agent = createServer((_req, res) => res.writeHead(404).end());
  agent.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    agentSockets.add(socket);
    if ((req.url ?? '').includes('/refused/')) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 25\r\nConnection: close\r\n\r\ncontainer not found ("c")');
      return;
    }
    // A stand-in upgrade: switch, then echo every byte upper-cased.
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n');
    socket.on('data', (d: Buffer) => socket.write(d.toString().toUpperCase()));
  });
  await new Promise<void>((r) => agent.listen(0, '127.0.0.1', r));
  const port = (agent.address() as AddressInfo).port;
  const node = async (name: string, agentPort: number) => {
    assert.equal((await h.call('POST', '/api/v1/nodes', { metadata: { name } })).status, 201);
    const st = await h.call('PATCH', `/api/v1/nodes/${name}/status`, { status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: agentPort } } } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(st.status, 200, st.text);
  };
  await node('n1', port);
  await node('dead', 1); // nothing listens on port 1
  const pod = async (name: string, nodeName: string | undefined, containers: string[]) => {
    const r = await h.call('POST', '/api/v1/namespaces/default/pods', { metadata: { name }, spec: { ...(nodeName ? { nodeName } : {}), containers: containers.map((c) => ({ name: c, image: 'busybox' })) } });
    assert.equal(r.status, 201, r.text);
  };
  await pod('p', 'n1', ['c']);
  await pod('two', 'n1', ['a', 'b']);
  await pod('pending', undefined, ['c']);
  await pod('lost', 'dead', ['c']);
  await pod('refused', 'n1', ['c']);
});

after(async () => {
  for (const s of agentSockets) s.destroy();
  await new Promise((r) => agent?.close(r));
  await h?.close();
});

/** An upgrade request through the apiserver; resolves with the status, body, and (after a 101) the socket. */
function upgrade(path: string, headers: Record<string, string> = { Upgrade: 'websocket', 'Sec-WebSocket-Protocol': 'v5.channel.k8s.io' }) {
  return new Promise<{ status: number; body: string; socket?: Duplex }>((resolve, reject) => {
    const req = request(`${h.base}${path}`, { headers: { Connection: 'Upgrade', ...headers } });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('upgrade', (res, socket) => resolve({ status: res.statusCode ?? 0, body: '', socket }));
    req.on('error', reject);
    req.end();
  });
}

const message = (body: string) => (JSON.parse(body) as { message: string }).message;

test('exec: the agent gets the kubelet path with the stream parameters; bytes flow both ways', async () => {
  const r = await upgrade('/api/v1/namespaces/default/pods/p/exec?command=sh&command=-c&command=echo%20hi&stdin=true&stdout=true&tty=false&pretty=1');
  assert.equal(r.status, 101);
  const last = seen[seen.length - 1];
  assert.equal(last.url, '/exec/default/p/c?command=sh&command=-c&command=echo+hi&stdin=true&stdout=true&tty=false');
  assert.equal(last.headers['sec-websocket-protocol'], 'v5.channel.k8s.io');
  const echoed = new Promise<string>((resolve) => r.socket!.once('data', (d: Buffer) => resolve(d.toString())));
  r.socket!.write('ping');
  assert.equal(await echoed, 'PING');
  r.socket!.destroy();
});

test('attach and portforward reach /attach/<ns>/<pod>/<container> and /portForward/<ns>/<pod>', async () => {
  const a = await upgrade('/api/v1/namespaces/default/pods/two/attach?container=b&stdin=true&stdout=true&tty=true');
  assert.equal(a.status, 101);
  a.socket!.destroy();
  assert.equal(seen[seen.length - 1].url, '/attach/default/two/b?stdin=true&stdout=true&tty=true');
  const pf = await upgrade('/api/v1/namespaces/default/pods/p/portforward?ports=80', { Upgrade: 'websocket', 'Sec-WebSocket-Protocol': 'SPDY/3.1+portforward.k8s.io' });
  assert.equal(pf.status, 101);
  pf.socket!.destroy();
  assert.equal(seen[seen.length - 1].url, '/portForward/default/p?ports=80');
});

test("kube-apiserver's texts before any upgrade", async () => {
  const before = seen.length;
  const cases: [string, number, string][] = [
    ['/api/v1/namespaces/default/pods/nope/exec?command=ls&stdout=true', 404, 'pods "nope" not found'],
    ['/api/v1/namespaces/default/pods/p/exec?command=ls&stdout=true&container=zz', 400, 'container zz is not valid for pod p'],
    ['/api/v1/namespaces/default/pods/two/exec?command=ls&stdout=true', 400, 'a container name must be specified for pod two, choose one of: [a b]'],
    ['/api/v1/namespaces/default/pods/pending/attach?stdout=true', 400, 'pod pending does not have a host assigned'],
    ['/api/v1/namespaces/default/pods/pending/portforward?ports=80', 400, 'pod pending does not have a host assigned'],
  ];
  for (const [path, code, text] of cases) {
    const r = await upgrade(path);
    assert.equal(r.status, code, path);
    assert.equal(message(r.body), text);
  }
  assert.equal(seen.length, before, 'nothing reached the agent');
  const plain = await h.call('GET', '/api/v1/namespaces/default/pods/p/exec?command=ls&stdout=true');
  assert.equal(plain.status, 400);
  assert.equal(plain.json.message, 'Upgrade request required');
});

test("the agent's refusal passes through as text; an unreachable agent is a 503 Status", async () => {
  const r = await upgrade('/api/v1/namespaces/default/pods/refused/exec?command=ls&stdout=true');
  assert.equal(r.status, 404);
  assert.equal(r.body, 'container not found ("c")');
  const lost = await upgrade('/api/v1/namespaces/default/pods/lost/exec?command=ls&stdout=true');
  assert.equal(lost.status, 503);
  assert.match(message(lost.body), /^cannot reach the node agent of dead at 127\.0\.0\.1:1: /);
});
