// Cluster DNS reachable from pods under `kubesvc up --isolated`, with the real kubectl, dig and a
// busybox pod: the node gets a real address (the pod bridge's gateway), DNS listens there on port
// 53, the kube-dns Service's endpoint is that address, the proxy carries 10.96.0.10:53 to it, and
// kube-dns / kube-proxy show up as Running mirror pods whose logs are their components' logs.
// The DNS upstream is a dead loopback port: nothing leaves the namespace.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startIsolatedCluster } from '../helpers/isolated.js';
import { canRunPods } from '../node/node-netns.js';

const hasTools = existsSync('/usr/bin/kubectl') && existsSync('/usr/bin/dig');

test('kubesvc up --isolated: pods resolve Services through kube-dns (10.96.0.10), mirror pods for DNS and proxy', { skip: (!canRunPods || !hasTools) && 'needs root on Linux, kubectl and dig', timeout: 180_000 }, async (t) => {
  const c = await startIsolatedCluster(t, { prefix: 'dns', podCIDR: '10.244.12.0/24', args: ['--proxy-mode', 'nftables', '--dns-upstream', '127.0.0.1:9'] });
  const { dir, node, exec, until } = c;
  const nodeIP = '10.244.12.1';

  // The Node's InternalIP is the bridge gateway, not the API's loopback listen address.
  const internal = await exec('kubectl', 'get', 'node', node, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}');
  assert.equal(internal.out, nodeIP);

  assert.equal((await exec('kubectl', 'create', 'deployment', 'web', '--image=nginx', '--replicas=2')).code, 0);
  assert.equal((await exec('kubectl', 'expose', 'deployment', 'web', '--port=80')).code, 0);
  const clusterIP = (await exec('kubectl', 'get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}')).out;
  assert.match(clusterIP, /^10\.9[6-9]|^10\.1[01]\d\./);

  // From the node, through the ClusterIP of kube-dns: UDP and TCP.
  const udp = await exec('dig', '+short', '+time=2', '+tries=2', '@10.96.0.10', 'web.default.svc.cluster.local');
  assert.equal(udp.out.trim(), clusterIP, `dig over UDP: ${udp.out}${udp.err}`);
  const tcp = await exec('dig', '+tcp', '+short', '+time=2', '+tries=2', '@10.96.0.10', 'web.default.svc.cluster.local');
  assert.equal(tcp.out.trim(), clusterIP, `dig over TCP: ${tcp.out}${tcp.err}`);

  // The kube-dns Endpoints hold the node address (the mirror pod's IP), both ports.
  const eps = await until('kube-dns endpoints', async () => {
    const r = await exec('kubectl', '-n', 'kube-system', 'get', 'endpoints', 'kube-dns', '-o', 'jsonpath={.subsets[0].addresses[*].ip} {.subsets[0].ports[*].name}');
    return r.out.startsWith(nodeIP) ? r.out : undefined;
  });
  assert.deepEqual(eps.split(' ').slice(1).sort(), ['dns', 'dns-tcp']);

  // A pod resolves the short name through its search path and fetches the page by name.
  await until('2 Ready web pods', async () => {
    const r = await exec('kubectl', 'get', 'pods', '-l', 'app=web', '-o', 'json');
    const items = (JSON.parse(r.out || '{"items":[]}') as { items: Pod[] }).items;
    return items.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === 2 ? true : undefined;
  });
  const manifest = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'client' },
    spec: { restartPolicy: 'Never', containers: [{ name: 'client', image: 'busybox', command: ['sh', '-c', 'cat /etc/resolv.conf; nslookup web; wget -qO- http://web'] }] },
  };
  const file = join(dir, 'client.json');
  writeFileSync(file, JSON.stringify(manifest));
  assert.equal((await exec('kubectl', 'apply', '-f', file)).code, 0);
  await until('the client pod to finish', async () => {
    const r = await exec('kubectl', 'get', 'pod', 'client', '-o', 'jsonpath={.status.phase}');
    return r.out === 'Succeeded' || r.out === 'Failed' ? r.out : undefined;
  });
  const clientLog = (await exec('kubectl', 'logs', 'client')).out;
  assert.match(clientLog, /nameserver 10\.96\.0\.10/);
  assert.match(clientLog, /search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local/);
  assert.match(clientLog, new RegExp(`Name:\\s+web\\.default\\.svc\\.cluster\\.local\\s+Address:\\s+${clusterIP.replace(/\./g, '\\.')}`));
  assert.match(clientLog, /Welcome to nginx!/);

  // The in-process components as Running pods in kube-system, with their logs.
  for (const [app, pod, line] of [
    ['kube-dns', `kube-dns-${node}`, /msg="dns listening".*10\.244\.12\.1:53/],
    ['kube-proxy', `kube-proxy-${node}`, /msg="rules programmed"/],
  ] as const) {
    const listed = await exec('kubectl', '-n', 'kube-system', 'get', 'pods', '-l', `k8s-app=${app}`, '-o', 'wide');
    assert.match(listed.out, new RegExp(`^${pod}\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+${nodeIP.replace(/\./g, '\\.')}\\s+${node}\\s`, 'm'), listed.out);
    const logs = await exec('kubectl', '-n', 'kube-system', 'logs', pod);
    assert.equal(logs.code, 0, logs.err);
    assert.match(logs.out, line);
  }

  // Deleted (kubectl's graceful default), the DNS mirror pod comes back, and answers keep coming.
  assert.equal((await exec('kubectl', '-n', 'kube-system', 'delete', 'pod', `kube-dns-${node}`, '--timeout=20s')).code, 0);
  await until('kube-dns mirror pod back', async () => {
    const r = await exec('kubectl', '-n', 'kube-system', 'get', 'pod', `kube-dns-${node}`, '-o', 'jsonpath={.status.phase}');
    return r.out === 'Running' ? true : undefined;
  });
  await until('kube-dns answering again through the Service', async () => {
    const r = await exec('dig', '+short', '+time=1', '+tries=1', '@10.96.0.10', 'web.default.svc.cluster.local');
    return r.out.trim() === clusterIP ? true : undefined;
  });

  assert.equal(await c.stop(), 0);
  const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith(`ksvc-${node}-`));
  assert.deepEqual(left, [], 'no pod namespace outlives the cluster');
  const procs = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(dir));
  assert.deepEqual(procs, [], 'no process of the cluster outlives it');
});
