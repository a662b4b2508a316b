// The service proxy's "done means" behaviour in `kubesvc up --isolated`, with the real kubectl run
// through `kubesvc exec`, for each proxy mode: three agnhost serve-hostname pods behind a Service;
// the ClusterIP from a pod and from the node spreads over all three; the NodePort answers on the
// node address (read from the Node object); ClientIP affinity pins a client and lets it go after
// timeoutSeconds; no ready pod → refused fast; a pod turning unready gets no new connections a
// second later; UDP follows an endpoint change. Pod readiness is switched with marker files the
// pods' exec probes look for (pods share the host's filesystem).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { canRunPods } from '../node/node-netns.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const hasKubectl = existsSync('/usr/bin/kubectl');
const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.52';

// Run on the node (inside the cluster's namespace) by `kubesvc exec -- node -e`: many requests in
// one process, so kubesvc exec's start-up is paid once. Prints one JSON line.
//   tcp HOST PORT N        → [{body}|{err}, ms] per request, a new connection each
//   udp HOST PORT SPORT    → {body}|{err}, from a fixed source port
const CLIENT = String.raw`
const [op, host, port, arg] = process.argv.slice(1);
const t = () => Number(process.hrtime.bigint()) / 1e6;
if (op === 'tcp') {
  const out = [];
  const one = (i) => {
    if (i >= Number(arg)) return console.log(JSON.stringify(out));
    const t0 = t();
    const req = require('node:http').get({ host, port: Number(port), path: '/', agent: false, timeout: 3000, headers: { connection: 'close' } }, (res) => {
      let b = ''; res.on('data', (d) => (b += d)); res.on('end', () => { out.push({ body: b.trim(), ms: t() - t0 }); one(i + 1); });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e) => { out.push({ err: e.code || String(e), ms: t() - t0 }); one(i + 1); });
  };
  one(0);
} else {
  const u = require('node:dgram').createSocket({ type: 'udp4', reuseAddr: true });
  const fin = (o) => { console.log(JSON.stringify(o)); u.close(); };
  const timer = setTimeout(() => fin({ err: 'timeout' }), 1000);
  u.on('message', (m) => { clearTimeout(timer); fin({ body: String(m) }); });
  u.on('error', (e) => { clearTimeout(timer); fin({ err: e.code || String(e) }); });
  u.bind(Number(arg), () => u.connect(Number(port), host, () => u.send('hostname')));
}
`;

// A UDP "hostname" server (agnhost netexec's --udp-port answers its hostname the same way).
const UDP_SERVER = `const d = require('node:dgram').createSocket('udp4'); d.on('message', (m, r) => d.send(require('node:os').hostname(), r.port, r.address)); d.bind(8081);`;

interface Reply {
  body?: string;
  err?: string;
  ms: number;
}

function readinessProbe(dir: string) {
  // Unready while DIR/unready-<pod name> exists; checked every second, one failure is enough.
  return { exec: { command: ['sh', '-c', `test ! -e ${dir}/unready-$(hostname)`] }, periodSeconds: 1, failureThreshold: 1, successThreshold: 1 };
}

async function runCluster(mode: 'nftables' | 'iptables' | 'userspace'): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ksvc-proxy-'));
  const node = `ksvc-px-${randomBytes(3).toString('hex')}`;
  const net = `10.244.${20 + ['nftables', 'iptables', 'userspace'].indexOf(mode)}`;
  const up = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, 'up', '--isolated', '--store', 'memory', '--data-dir', dir, '--node-name', node, '--pod-cidr', `${net}.0/24`, '--proxy-mode', mode],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  up.stdout.on('data', (d: Buffer) => (log += d.toString()));
  up.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((r) => up.on('exit', (code) => r(code)));
  try {
    const exec = (...args: string[]) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const c = spawn(process.execPath, ['--import', 'tsx', MAIN, 'exec', '--data-dir', dir, '--', ...args], {
          env: { ...process.env, KUBECACHEDIR: join(dir, 'kcache') },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        c.stdout.on('data', (d: Buffer) => (out += d.toString()));
        c.stderr.on('data', (d: Buffer) => (err += d.toString()));
        c.on('exit', (code) => resolve({ code, out, err }));
      });
    const kubectl = async (...args: string[]) => {
      const r = await exec('kubectl', ...args);
      assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.err}`);
      return r.out;
    };
    const apply = async (obj: object) => {
      const f = join(dir, `m-${randomBytes(3).toString('hex')}.json`);
      writeFileSync(f, JSON.stringify(obj));
      await kubectl('apply', '-f', f);
    };
    const until = async <T>(what: string, f: () => Promise<T | undefined>, ms = 90_000): Promise<T> => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        const v = await f();
        if (v !== undefined) return v;
        await new Promise((r) => setTimeout(r, 300));
      }
      throw new Error(`timed out waiting for ${what}; kubesvc output:\n${log.slice(-3000)}`);
    };
    const tcp = async (host: string, port: number, n: number): Promise<Reply[]> => {
      const r = await exec(process.execPath, '-e', CLIENT, 'tcp', host, String(port), String(n));
      return JSON.parse(r.out) as Reply[];
    };
    const udp = async (host: string, port: number, sport: number): Promise<Reply> => {
      const r = await exec(process.execPath, '-e', CLIENT, 'udp', host, String(port), String(sport));
      return JSON.parse(r.out) as Reply;
    };
    const names = (rs: Reply[]) => {
      const m = new Map<string, number>();
      for (const r of rs) m.set(r.body ?? `error ${r.err}`, (m.get(r.body ?? `error ${r.err}`) ?? 0) + 1);
      return m;
    };
    const readyIPs = async (svc: string) =>
      (await kubectl('get', 'endpoints', svc, '-o', 'jsonpath={.subsets[*].addresses[*].ip}')).split(' ').filter(Boolean).sort();
    const pod = (name: string, app: string, container: object) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { app } },
      spec: { containers: [{ name: app, readinessProbe: readinessProbe(dir), ...container }] },
    });

    await until('the cluster', async () => (/kubesvc is running/.test(log) ? true : undefined));
    const nodeIP = await until('the Node InternalIP', async () => {
      const r = await exec('kubectl', 'get', 'node', node, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}');
      return r.out.trim() || undefined;
    });

    const web = ['web-0', 'web-1', 'web-2'];
    for (const n of web) await apply(pod(n, 'web', { image: AGNHOST, args: ['serve-hostname'] }));
    await apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 9376 }] },
    });
    await until('3 ready web endpoints', async () => {
      const r = await readyIPs('web');
      return r.length === 3 ? r : undefined;
    });
    const clusterIP = (await kubectl('get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}')).trim();
    const nodePort = Number(await kubectl('get', 'svc', 'web', '-o', 'jsonpath={.spec.ports[0].nodePort}'));

    // From the node.
    const fromNode = names(await tcp(clusterIP, 80, 30));
    assert.deepEqual([...fromNode.keys()].sort(), web, `ClusterIP from the node: ${JSON.stringify([...fromNode])}`);
    // From a pod: a busybox pod that makes 30 requests and prints what answered. (A container that
    // fails to start at all — no log, seen now and then on this loaded machine — gets a new pod.)
    let clientLog = '';
    for (let attempt = 1; attempt <= 3 && !/done/.test(clientLog); attempt++) {
      const name = `client-${attempt}`;
      await apply({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name },
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', `for i in $(seq 30); do timeout 3 wget -q -O- http://${clusterIP}/; echo; done; echo done`] }],
        },
      });
      clientLog = await until(`${name} finished`, async () => {
        const phase = (await exec('kubectl', 'get', 'pod', name, '-o', 'jsonpath={.status.phase}')).out;
        if (phase !== 'Succeeded' && phase !== 'Failed') return undefined;
        const r = await exec('kubectl', 'logs', name);
        return `${phase}: ${r.out}${r.err}`;
      });
    }
    const fromPod = new Set(clientLog.split('\n').filter((l) => l.startsWith('web-')));
    assert.deepEqual([...fromPod].sort(), web, `ClusterIP from a pod:\n${clientLog}`);

    // NodePort on the node address the Node object carries.
    const viaNodePort = names(await tcp(nodeIP, nodePort, 30));
    assert.deepEqual([...viaNodePort.keys()].sort(), web, `NodePort ${nodeIP}:${nodePort}: ${JSON.stringify([...viaNodePort])}`);

    if (mode === 'iptables') {
      const rules = await exec('iptables', '-t', 'nat', '-L', 'KUBE-SERVICES', '-n');
      assert.match(rules.out, /\/\* default\/web cluster IP \*\//, rules.out);
    }

    // A pod turning unready: one second after the Endpoints say so, no new connection reaches it.
    writeFileSync(join(dir, 'unready-web-2'), '');
    await until('web-2 out of the ready addresses', async () => ((await readyIPs('web')).length === 2 ? true : undefined));
    await new Promise((r) => setTimeout(r, 1000));
    const afterUnready = names(await tcp(clusterIP, 80, 30));
    assert.deepEqual([...afterUnready.keys()].sort(), ['web-0', 'web-1'], JSON.stringify([...afterUnready]));
    rmSync(join(dir, 'unready-web-2'));

    // No ready pod: refused, fast.
    for (const n of web) writeFileSync(join(dir, `unready-${n}`), '');
    await until('no ready web address', async () => ((await readyIPs('web')).length === 0 ? true : undefined));
    await new Promise((r) => setTimeout(r, 500));
    const refused = await tcp(clusterIP, 80, 5);
    for (const r of refused) assert.equal(r.err, 'ECONNREFUSED', JSON.stringify(refused));
    const worst = Math.max(...refused.map((r) => r.ms));
    assert.ok(worst < 1000, `refused after ${worst} ms`);
    console.log(`# ${mode}: connection refused with 0 ready pods in ${refused.map((r) => r.ms.toFixed(2)).join(', ')} ms (node → ClusterIP)`);
    for (const n of web) rmSync(join(dir, `unready-${n}`));
    await until('3 ready web endpoints again', async () => ((await readyIPs('web')).length === 3 ? true : undefined));

    // Session affinity ClientIP with a 2 s timeout.
    await apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'sticky' },
      spec: { selector: { app: 'web' }, sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 2 } }, ports: [{ port: 80, targetPort: 9376 }] },
    });
    await until('sticky endpoints', async () => ((await readyIPs('sticky')).length === 3 ? true : undefined));
    const stickyIP = (await kubectl('get', 'svc', 'sticky', '-o', 'jsonpath={.spec.clusterIP}')).trim();
    await new Promise((r) => setTimeout(r, 1000));
    const pinned = names(await tcp(stickyIP, 80, 15));
    assert.equal(pinned.size, 1, `affinity: ${JSON.stringify([...pinned])}`);
    const first = [...pinned.keys()][0];
    let moved = false;
    for (let i = 0; i < 10 && !moved; i++) {
      await new Promise((r) => setTimeout(r, 2500));
      moved = (await tcp(stickyIP, 80, 1))[0].body !== first;
    }
    assert.ok(moved, 'after timeoutSeconds a new connection may land on another pod');

    // UDP follows an endpoint change: udp-a serves, then udp-b instead (udp-a still running).
    writeFileSync(join(dir, 'unready-udp-b'), '');
    for (const n of ['udp-a', 'udp-b']) await apply(pod(n, 'udp', { image: 'busybox', command: [process.execPath, '-e', UDP_SERVER] }));
    await apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'udp' }, spec: { selector: { app: 'udp' }, ports: [{ port: 53, targetPort: 8081, protocol: 'UDP' }] } });
    await until('udp-a ready', async () => ((await readyIPs('udp')).length === 1 ? true : undefined));
    const udpIP = (await kubectl('get', 'svc', 'udp', '-o', 'jsonpath={.spec.clusterIP}')).trim();
    const sport = 40053;
    const a = await until('udp-a answering', async () => {
      const r = await udp(udpIP, 53, sport);
      return r.body === 'udp-a' ? r : undefined;
    }, 15_000);
    assert.equal(a.body, 'udp-a');
    assert.equal((await udp(udpIP, 53, sport)).body, 'udp-a');
    const bIP = (await kubectl('get', 'pod', 'udp-b', '-o', 'jsonpath={.status.podIP}')).trim();
    writeFileSync(join(dir, 'unready-udp-a'), '');
    rmSync(join(dir, 'unready-udp-b'));
    await until('udp-b the only ready endpoint', async () => ((await readyIPs('udp')).join() === bIP ? true : undefined));
    await new Promise((r) => setTimeout(r, 1000));
    // Same client address and port: the old flow must not keep it on udp-a.
    assert.equal((await udp(udpIP, 53, sport)).body, 'udp-b');

    up.kill('SIGINT');
    assert.equal(await exited, 0);
  } catch (e) {
    throw new Error(`${String(e)}\nkubesvc output:\n${log.slice(-2000)}`, { cause: e });
  } finally {
    if (up.exitCode === null) {
      up.kill('SIGINT');
      await exited;
    }
    for (const line of execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n')) {
      const ns = line.split(' ')[0];
      if (ns.startsWith(`ksvc-${node}-`)) execFileSync('ip', ['netns', 'del', ns]);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const skip = (!canRunPods || !hasKubectl) && 'needs root on Linux and kubectl';
const only = (process.env.KSVC_PROXY_MODES ?? 'nftables,iptables,userspace').split(',');

describe('the service proxy in kubesvc up --isolated', { skip, concurrency: false }, () => {
  test('nftables: spread from pod and node, NodePort, unready, refused, affinity, UDP endpoint change', { skip: !only.includes('nftables'), timeout: 300_000 }, () =>
    runCluster('nftables'),
  );
  test('iptables: spread from pod and node, NodePort, KUBE-SERVICES comment, unready, refused, affinity, UDP endpoint change', { skip: !only.includes('iptables'), timeout: 300_000 }, () =>
    runCluster('iptables'),
  );
  test('userspace: spread from pod and node, NodePort, unready, refused, affinity, UDP endpoint change', { skip: !only.includes('userspace'), timeout: 300_000 }, () =>
    runCluster('userspace'),
  );
});
