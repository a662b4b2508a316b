// Kernel tests of the userspace backend: the backend runs in a child process inside a throwaway
// "node" namespace (userspace-child.ts), pods are namespaces on its bridge, and real TCP and UDP
// go through its sockets. Every namespace is deleted afterwards (see netns.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { GATEWAY, kernelTestsSkipReason, TestNode, type Pod } from './netns.js';

const skip = kernelTestsSkipReason();
const NODE = 'node-a';
const CHILD = fileURLToPath(new URL('./userspace-child.ts', import.meta.url));
const ECHO_SERVER = `require('node:net').createServer({ allowHalfOpen: true }, (s) => { s.on('error', () => {}); s.pipe(s); }).listen(9000, () => console.log('up'));`;
const ECHO_CLIENT = `const s = require('node:net').connect({ host: '10.96.0.90', port: 9000, allowHalfOpen: true });
let n = 0; s.on('data', (d) => (n += d.length)); s.on('end', () => { console.log(n); process.exit(0); });
s.on('error', (e) => { console.log(e.code); process.exit(1); }); setTimeout(() => { console.log('timeout ' + n); process.exit(1); }, 20000);
s.end(Buffer.alloc(16 * 1024 * 1024, 7));`;

function svc(name: string, spec: Service['spec']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name }, spec };
}

function epSlice(service: string, pods: Pod[], port: number, protocol = 'TCP', ready = true): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: 'default', name: `${service}-1`, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: [{ name: '', port, protocol }],
    endpoints: pods.map((p) => ({ addresses: [p.ip], conditions: { ready }, nodeName: NODE })),
  };
}

describe('userspace proxy in a network namespace', { skip, concurrency: false }, () => {
  const node = new TestNode();
  let child: ChildProcess;
  let pods: Pod[];
  let clientPod: Pod;
  let nextId = 1;
  const waiting = new Map<number, (r: { ok: boolean; err?: string }) => void>();

  const send = (cmd: Record<string, unknown>) =>
    new Promise<void>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => reject(new Error(`userspace child did not answer ${JSON.stringify(cmd).slice(0, 200)}`)), 15_000);
      waiting.set(id, (r) => {
        clearTimeout(timer);
        if (r.ok) resolve();
        else reject(new Error(r.err));
      });
      child.stdin!.write(JSON.stringify({ ...cmd, id }) + '\n');
    });
  const service = (s: Service) => send({ op: 'service', key: `default/${s.metadata!.name}`, obj: s });
  const slice = (s: EndpointSlice) => send({ op: 'slice', obj: s, deleted: false });
  const sync = () => send({ op: 'sync' });

  before(async () => {
    await node.create();
    pods = [await node.addPod('p1', '10.244.0.11'), await node.addPod('p2', '10.244.0.12'), await node.addPod('p3', '10.244.0.13')];
    clientPod = await node.addPod('client', '10.244.0.20', false);
    child = spawn('ip', ['netns', 'exec', node.ns, process.execPath, '--import', 'tsx', CHILD], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, NODE_NAME: NODE },
    });
    createInterface({ input: child.stdout! }).on('line', (l) => {
      const r = JSON.parse(l) as { id: number; ok: boolean; err?: string };
      waiting.get(r.id)?.(r);
      waiting.delete(r.id);
    });
    await service(svc('web', { type: 'NodePort', clusterIP: '10.96.0.20', ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] }));
    await slice(epSlice('web', pods, 8080));
    await service(
      svc('sticky', {
        clusterIP: '10.96.0.40',
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 1 } },
        ports: [{ port: 80, targetPort: 8080 }],
      }),
    );
    await slice(epSlice('sticky', pods, 8080));
    await service(svc('empty', { clusterIP: '10.96.0.50', ports: [{ port: 80, targetPort: 8080 }, { name: 'dns', port: 53, targetPort: 5353, protocol: 'UDP' }] }));
    await service(svc('dns', { clusterIP: '10.96.0.53', ports: [{ port: 53, targetPort: 5353, protocol: 'UDP' }] }));
    await slice(epSlice('dns', [pods[0]], 5353, 'UDP'));
    await sync();
  });

  after(async () => {
    try {
      if (child && child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.stdin!.end();
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    } finally {
      await node.destroy();
    }
  });

  async function backends(from: Pod['agent'], host: string, port: number, n: number): Promise<Map<string, number>> {
    const seen = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const r = await from.tcp(host, port);
      assert.equal(r.err, undefined, `connect ${host}:${port}: ${r.err}`);
      seen.set(r.data!, (seen.get(r.data!) ?? 0) + 1);
    }
    return seen;
  }

  test('the ClusterIPs are local addresses on lo, labelled lo:ksvc', () => {
    const out = node.run(['ip', '-o', '-4', 'addr', 'show', 'dev', 'lo', 'label', 'lo:ksvc']);
    for (const a of ['10.96.0.20', '10.96.0.40', '10.96.0.50', '10.96.0.53']) assert.match(out, new RegExp(`inet ${a.replace(/\./g, '\\.')}/32`));
  });

  test('ClusterIP from a pod and from the node spreads over all 3 backends', async () => {
    for (const from of [clientPod.agent, node.agent]) {
      const seen = await backends(from, '10.96.0.20', 80, 30);
      assert.deepEqual([...seen.keys()].sort(), ['p1', 'p2', 'p3'], JSON.stringify([...seen]));
    }
  });

  test('NodePort answers on the node address, from a pod and from the node', async () => {
    assert.deepEqual([...(await backends(clientPod.agent, GATEWAY, 30080, 30)).keys()].sort(), ['p1', 'p2', 'p3']);
    assert.ok((await backends(node.agent, GATEWAY, 30080, 3)).size >= 1);
  });

  test('session affinity ClientIP keeps a client on one backend, and lets it move after the timeout', async () => {
    const seen = await backends(clientPod.agent, '10.96.0.40', 80, 10);
    assert.equal(seen.size, 1, JSON.stringify([...seen]));
    const first = [...seen.keys()][0];
    let moved = false;
    for (let i = 0; i < 8 && !moved; i++) {
      await new Promise((r) => setTimeout(r, 1200));
      moved = (await clientPod.agent.tcp('10.96.0.40', 80)).data !== first;
    }
    assert.ok(moved, 'after the 1 s timeout a new connection may land elsewhere');
  });

  test('a Service port with no endpoints refuses TCP and UDP at once', async () => {
    const r = await clientPod.agent.tcp('10.96.0.50', 80);
    assert.equal(r.err, 'ECONNREFUSED');
    assert.ok(r.ms < 1000, `refused after ${r.ms} ms`);
    assert.equal((await node.agent.tcp('10.96.0.50', 80)).err, 'ECONNREFUSED');
    const u = await clientPod.agent.udp('10.96.0.50', 53);
    assert.equal(u.err, 'ECONNREFUSED');
  });

  test('UDP: a session follows an endpoint change at once, and a removed endpoint stops receiving', async () => {
    const sport = 40053;
    assert.equal((await clientPod.agent.udp('10.96.0.53', 53, sport)).data, 'p1');
    assert.equal((await clientPod.agent.udp('10.96.0.53', 53, sport)).data, 'p1');
    await slice(epSlice('dns', [pods[1]], 5353, 'UDP'));
    await sync();
    // Same client tuple, inside the idle timeout: the session to p1 (still running) was ended.
    assert.equal((await clientPod.agent.udp('10.96.0.53', 53, sport)).data, 'p2');
  });

  test('an endpoint that becomes unready gets no new connections', async () => {
    await slice({ ...epSlice('web', pods, 8080), endpoints: pods.map((p, i) => ({ addresses: [p.ip], conditions: { ready: i !== 2 }, nodeName: NODE })) });
    await sync();
    const seen = await backends(clientPod.agent, '10.96.0.20', 80, 30);
    assert.deepEqual([...seen.keys()].sort(), ['p1', 'p2']);
    await slice(epSlice('web', pods, 8080));
    await sync();
  });

  test('16 MiB echoed through the proxy arrive whole, and the client half-close travels through', async () => {
    // An echo server in pod p3 (port 9000) behind its own Service; the client writes 16 MiB, ends
    // its side, and counts what comes back until the echo server's FIN arrives.
    const echo = spawn('ip', ['netns', 'exec', pods[2].ns, process.execPath, '-e', ECHO_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise((r) => echo.stdout!.once('data', r));
      await service(svc('echo', { clusterIP: '10.96.0.90', ports: [{ port: 9000, targetPort: 9000 }] }));
      await slice(epSlice('echo', [pods[2]], 9000));
      await sync();
      const got = node.run(['ip', 'netns', 'exec', clientPod.ns, process.execPath, '-e', ECHO_CLIENT]).trim();
      assert.equal(got, String(16 * 1024 * 1024));
    } finally {
      echo.kill('SIGKILL');
    }
  });

  test('cleanup removes the listeners and the addresses', async () => {
    await send({ op: 'cleanup' });
    assert.equal(node.run(['ip', '-o', '-4', 'addr', 'show', 'dev', 'lo', 'label', 'lo:ksvc']).trim(), '');
    const r = await clientPod.agent.tcp('10.96.0.20', 80, 500);
    assert.notEqual(r.data, 'p1');
  });
});
