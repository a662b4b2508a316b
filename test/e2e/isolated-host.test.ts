// `kubesvc up --isolated` seen from the host: the host's kubectl reaches the API server inside the
// namespace through the relay (host --listen address → <data-dir>/api.sock → API server), and a
// LoadBalancer Service gets an EXTERNAL-IP from the pool that carries traffic to its pods inside.
// Nothing leaves the namespace: the relay is a unix socket, the curl runs inside.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCommand, startIsolatedCluster } from '../helpers/isolated.js';
import { canRunPods } from '../node/node-netns.js';

const hasTools = existsSync('/usr/bin/kubectl') && existsSync('/usr/bin/curl');

test('kubesvc up --isolated: kubectl on the host reaches the API inside; a LoadBalancer IP carries traffic', { skip: (!canRunPods || !hasTools) && 'needs root on Linux, kubectl and curl', timeout: 180_000 }, async (t) => {
  const c = await startIsolatedCluster(t, { prefix: 'host', podCIDR: '10.244.21.0/24', args: ['--listen', '127.0.0.1:0', '--dns-upstream', '127.0.0.1:9'] });
  const { dir, node, until } = c;
  assert.match(c.log(), /kubectl on this host reaches its API server/);

  // The host's own kubectl, no kubesvc exec: the Node exists only inside the namespace.
  const env = { ...process.env, KUBECONFIG: join(dir, 'kubeconfig'), KUBECACHEDIR: join(dir, 'kcache') };
  const kubectl = (...args: string[]) => runCommand('kubectl', args, env);
  const ip = await kubectl('get', 'node', node, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}');
  assert.equal(ip.code, 0, ip.err);
  assert.equal(ip.out, '10.244.21.1');

  assert.equal((await kubectl('create', 'deployment', 'web', '--image=nginx', '--replicas=2')).code, 0);
  assert.equal((await kubectl('expose', 'deployment', 'web', '--port=80', '--type=LoadBalancer')).code, 0);
  const lbIP = await until('an EXTERNAL-IP', async () => (await kubectl('get', 'svc', 'web', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}')).out || undefined);
  assert.equal(lbIP, '10.250.0.1');
  await until('2 ready endpoints', async () => {
    const r = await kubectl('get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].addresses[*].ip}');
    return r.out.trim().split(/\s+/).filter(Boolean).length === 2 ? true : undefined;
  });
  // Inside the namespace, the LoadBalancer address carries HTTP to the pods (from the node).
  const page = await until('the page through the LoadBalancer IP', async () => {
    const r = await c.exec('curl', '-s', '--max-time', '3', `http://${lbIP}/`);
    return r.code === 0 && r.out ? r.out : undefined;
  }, 30_000);
  assert.match(page, /Welcome to nginx!/);
  // Pods reach the API server through the `kubernetes` Service, whose endpoint is the node address.
  const apiPort = Number(/server: http:\/\/127\.0\.0\.1:(\d+)/.exec(readFileSync(join(dir, 'kubeconfig'), 'utf8'))?.[1]);
  const kep = await until('kubernetes endpoints on the node address', async () => {
    const r = await kubectl('get', 'endpoints', 'kubernetes', '-o', 'jsonpath={.subsets[0].addresses[0].ip}:{.subsets[0].ports[0].port}');
    return r.out === `10.244.21.1:${apiPort}` ? r.out : undefined;
  }, 20_000);
  assert.equal(kep, `10.244.21.1:${apiPort}`);
  assert.equal((await kubectl('run', 'api-check', '--image=busybox', '--restart=Never', '--', 'wget', '-qO-', 'http://kubernetes.default.svc:443/version')).code, 0);
  await until('api-check to finish', async () => ((await kubectl('get', 'pod', 'api-check', '-o', 'jsonpath={.status.phase}')).out === 'Succeeded' ? true : undefined), 60_000);
  assert.match((await kubectl('logs', 'api-check')).out, /"gitVersion":/);

  const describe = await kubectl('describe', 'svc', 'web');
  assert.match(describe.out, /LoadBalancer Ingress:\s+10\.250\.0\.1/);
  assert.match(describe.out, /EnsuredLoadBalancer/);

  // A clean stop closes the host side too.
  const port = apiPort;
  assert.ok(port > 0);
  assert.equal(await c.stop(), 0, c.log().slice(-2000));
  assert.equal(existsSync(join(dir, 'api.sock')), false, 'the socket is removed');
  const refused = await new Promise<string>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
  assert.equal(refused, 'ECONNREFUSED');
});
