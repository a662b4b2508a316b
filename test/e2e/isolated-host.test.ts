// `kubesvc up --isolated` seen from the host: the host's kubectl reaches the API server inside the
// namespace through the relay (host --listen address → <data-dir>/api.sock → API server), and a
// LoadBalancer Service gets an EXTERNAL-IP from the pool that carries traffic to its pods inside.
// Nothing leaves the namespace: the relay is a unix socket, the curl runs inside.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { canRunPods } from '../node/node-netns.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const hasTools = existsSync('/usr/bin/kubectl') && existsSync('/usr/bin/curl');

interface Ran {
  code: number | null;
  out: string;
  err: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('exit', (code) => resolve({ code, out, err }));
  });
}

test('kubesvc up --isolated: kubectl on the host reaches the API inside; a LoadBalancer IP carries traffic', { skip: (!canRunPods || !hasTools) && 'needs root on Linux, kubectl and curl', timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ksvc-isohost-'));
  const node = `ksvc-host-${randomBytes(3).toString('hex')}`;
  const up = spawn(process.execPath, ['--import', 'tsx', MAIN, 'up', '--isolated', '--store', 'memory', '--listen', '127.0.0.1:0', '--data-dir', dir, '--node-name', node, '--pod-cidr', '10.244.21.0/24', '--dns-upstream', '127.0.0.1:9'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  up.stdout.on('data', (d: Buffer) => (log += d.toString()));
  up.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((r) => up.on('exit', (code) => r(code)));
  t.after(async () => {
    if (up.exitCode === null) {
      up.kill('SIGINT');
      await exited;
    }
    for (const line of execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n')) {
      const ns = line.split(' ')[0];
      if (ns.startsWith(`ksvc-${node}-`)) execFileSync('ip', ['netns', 'del', ns]);
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const until = async <T>(what: string, f: () => Promise<T | undefined>, ms = 90_000): Promise<T> => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const v = await f();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`timed out waiting for ${what}; kubesvc output:\n${log.slice(-4000)}`);
  };
  await until('the cluster', async () => (/kubesvc is running/.test(log) ? true : undefined));
  assert.match(log, /kubectl on this host reaches its API server/);

  // The host's own kubectl, no kubesvc exec: the Node exists only inside the namespace.
  const env = { ...process.env, KUBECONFIG: join(dir, 'kubeconfig'), KUBECACHEDIR: join(dir, 'kcache') };
  const kubectl = (...args: string[]) => run('kubectl', args, env);
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
    const r = await run(process.execPath, ['--import', 'tsx', MAIN, 'exec', '--data-dir', dir, '--', 'curl', '-s', '--max-time', '3', `http://${lbIP}/`], env);
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
  up.kill('SIGINT');
  assert.equal(await exited, 0, log.slice(-2000));
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
