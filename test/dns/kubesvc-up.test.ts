// `kubesvc up` serves cluster DNS: the compiled binary with --dns-listen on a loopback port, asked
// with the real dig and kubectl (the kube-dns Service at 10.96.0.10; the `kubernetes` Service's name).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { dig, rdata } from './dig.js';

let cluster: Cluster | undefined;
after(async () => {
  await cluster?.cleanup();
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

test('kubesvc up --dns-listen: cluster names over UDP and TCP, and the kube-dns Service', async () => {
  const port = await freePort();
  cluster = await startCluster({ args: ['--store', 'memory', '--dns-listen', `127.0.0.1:${port}`, '--dns-upstream', ''] });
  const svc = await cluster.kubectl(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}']);
  assert.equal(svc.code, 0, svc.stderr);
  const r = await dig(port, 'kubernetes.default.svc.cluster.local', 'A');
  assert.equal(r.status, 'NOERROR', r.raw);
  assert.deepEqual(rdata(r, 'A'), [svc.stdout.trim()]);
  assert.deepEqual(rdata(await dig(port, 'kubernetes.default.svc.cluster.local', 'A', ['+tcp']), 'A'), [svc.stdout.trim()]);
  assert.equal((await dig(port, 'nope.default.svc.cluster.local', 'A')).status, 'NXDOMAIN');
  // kube-dns appears once the DNS caches have synced (right after start-up).
  let dnsSvc = '';
  for (let i = 0; i < 100; i++) {
    const out = await cluster.kubectl(['-n', 'kube-system', 'get', 'svc', 'kube-dns', '--no-headers']);
    if (out.code === 0) {
      dnsSvc = out.stdout;
      break;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.match(dnsSvc, /^kube-dns\s+ClusterIP\s+10\.96\.0\.10\s+<none>\s+53\/UDP,53\/TCP/);
  assert.deepEqual(rdata(await dig(port, 'kube-dns.kube-system.svc.cluster.local', 'A'), 'A'), ['10.96.0.10']);
});
