// `kubesvc up --isolated` end to end with the real kubectl, run through `kubesvc exec`: a
// Deployment's pods run Ready with distinct IPs, answer from the node, a pod failing its readiness
// probe sits in the Service's notReadyAddresses, logs come through, and stopping the cluster leaves
// no namespace or process behind.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startIsolatedCluster } from '../helpers/isolated.js';
import { canRunPods } from './node-netns.js';

const hasKubectl = existsSync('/usr/bin/kubectl');

test('kubesvc up --isolated + kubesvc exec: pods, probes, endpoints, logs, clean stop', { skip: (!canRunPods || !hasKubectl) && 'needs root on Linux and kubectl', timeout: 180_000 }, async (t) => {
  const c = await startIsolatedCluster(t, { prefix: 'e2e', podCIDR: '10.244.9.0/24' });
  const { dir, node, exec, until } = c;
  assert.match(c.log(), /kubesvc exec --data-dir/);

  assert.equal((await exec('kubectl', 'create', 'deployment', 'web', '--image=nginx', '--replicas=3')).code, 0);
  const pods = await until('3 Ready web pods', async () => {
    const r = await exec('kubectl', 'get', 'pods', '-l', 'app=web', '-o', 'json');
    const items = (JSON.parse(r.out || '{"items":[]}') as { items: Pod[] }).items;
    const ready = items.filter((p) => p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    return ready.length === 3 ? ready : undefined;
  });
  const ips = pods.map((p) => p.status?.podIP ?? '');
  assert.equal(new Set(ips).size, 3);
  for (const ip of ips) assert.match(ip, /^10\.244\.9\.\d+$/);
  const page = await exec('curl', '-s', '--max-time', '5', `http://${ips[0]}/`);
  assert.match(page.out, /Welcome to nginx!/);

  const logs = await exec('kubectl', 'logs', pods[0].metadata?.name ?? '');
  assert.match(logs.out, /nginx listening on :80/);
  // The request just made, with the node's address as the client, as an access log would show it.
  assert.match(logs.out, /^10\.244\.9\.1:\d+: url:\/\n10\.244\.9\.1:\d+: response:200$/m);

  assert.equal((await exec('kubectl', 'expose', 'deployment', 'web', '--port=80')).code, 0);
  const manifest = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'unready', labels: { app: 'web' } },
    spec: { containers: [{ name: 'web', image: 'nginx', readinessProbe: { httpGet: { path: '/', port: 81 }, periodSeconds: 1 } }] },
  });
  const file = join(dir, 'unready.json');
  execFileSync('sh', ['-c', `cat > ${file}`], { input: manifest });
  assert.equal((await exec('kubectl', 'apply', '-f', file)).code, 0);
  const unreadyIP = await until('the unready pod Running', async () => {
    const r = await exec('kubectl', 'get', 'pod', 'unready', '-o', 'jsonpath={.status.phase} {.status.podIP}');
    const [phase, ip] = r.out.split(' ');
    return phase === 'Running' && ip ? ip : undefined;
  });
  await until('unready in notReadyAddresses', async () => {
    const r = await exec('kubectl', 'get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[0].notReadyAddresses[*].ip}');
    return r.out.split(' ').includes(unreadyIP) ? true : undefined;
  });
  const ready = await exec('kubectl', 'get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[0].addresses[*].ip}');
  assert.deepEqual(ready.out.split(' ').sort(), [...ips].sort());

  // The node (no default route in an isolated namespace) reaches the ClusterIP through the proxy:
  // the service CIDR is routed onto the pod bridge.
  const clusterIP = (await exec('kubectl', 'get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}')).out;
  for (let i = 0; i < 6; i++) {
    const viaService = await exec('curl', '-s', '--max-time', '5', `http://${clusterIP}/`);
    assert.match(viaService.out, /Welcome to nginx!/, `request ${i} to ClusterIP ${clusterIP}: ${viaService.err}`);
  }

  // The pods' processes, found through their namespaces, must all be gone after the stop.
  const podPids = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((ns) => ns.startsWith(`ksvc-${node}-`))
    .flatMap((ns) => execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter(Boolean));
  assert.ok(podPids.length >= 4, `pod processes found: ${podPids.join(' ')}`);
  assert.equal(await c.stop(), 0);
  assert.deepEqual(podPids.filter((pid) => existsSync(`/proc/${pid}`)), [], 'no pod process outlives the cluster');
  const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith(`ksvc-${node}-`));
  assert.deepEqual(left, [], 'no pod namespace outlives the cluster');
  const procs = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(dir));
  assert.deepEqual(procs, [], 'no process of the cluster outlives it');
});
