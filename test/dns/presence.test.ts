// The DNS server's presence in the cluster: the kube-dns Service at the tenth service address and
// a Running, Ready mirror pod labelled k8s-app=kube-dns, listed by the real kubectl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createApiServer } from '../../src/apiserver/index.js';
import { createClient, inProcessTransport, NAMESPACES, PODS, SERVICES } from '../../src/client/index.js';
import { startClusterDns } from '../../src/dns/cluster-dns.js';
import { DEFAULT_REGISTRY_CONFIG } from '../../src/registry/types.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import { silentLogger } from '../../src/util/log.js';
import { dig, rdata } from './dig.js';

const run = promisify(execFile);

test('kube-dns Service (10.96.0.10, dns 53/UDP, dns-tcp 53/TCP) and a Ready mirror pod that kubectl lists', async () => {
  const store = createMemoryStore();
  const api = createApiServer({ store, logger: silentLogger, registryConfig: DEFAULT_REGISTRY_CONFIG, skipBootstrap: true });
  const dir = await mkdtemp(join(tmpdir(), 'kubesvc-dns-presence-'));
  const client = createClient(inProcessTransport(api.registry));
  let running: ReturnType<typeof startClusterDns> | undefined;
  try {
    await api.ready;
    await api.listen('127.0.0.1', 0);
    for (const name of ['default', 'kube-system']) await client.resource(NAMESPACES).create(undefined, { metadata: { name } });
    running = startClusterDns({
      client,
      logger: silentLogger,
      clusterDomain: 'cluster.local',
      listen: [{ host: '127.0.0.1', port: 0 }],
      upstreams: [],
      serviceCIDR: '10.96.0.0/12',
      // A documentation address: it is only written into objects, never sent to.
      node: { name: 'node-1', ip: '192.0.2.1' },
    });
    await running.ready;
    const svc = await client.resource(SERVICES).get('kube-system', 'kube-dns');
    assert.equal(svc.spec?.clusterIP, '10.96.0.10');
    assert.deepEqual(svc.spec?.ports?.map((p) => `${p.name} ${p.port}/${p.protocol}`), ['dns 53/UDP', 'dns-tcp 53/TCP']);
    assert.deepEqual(svc.spec?.selector, { 'k8s-app': 'kube-dns' });
    const pod = await client.resource(PODS).get('kube-system', 'kube-dns-node-1');
    assert.equal(pod.status?.phase, 'Running');
    assert.equal(pod.spec?.hostNetwork, true);
    assert.equal(pod.status?.podIP, '192.0.2.1');
    assert.equal(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');

    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:${api.port()}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user: {}\n`,
    );
    const env = { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'cache'), HOME: dir };
    const { stdout } = await run('kubectl', ['-n', 'kube-system', 'get', 'pods', '-l', 'k8s-app=kube-dns'], { env, timeout: 30_000 });
    assert.match(stdout, /^kube-dns-node-1\s+1\/1\s+Running\s+0\s+/m);
    const svcOut = (await run('kubectl', ['-n', 'kube-system', 'get', 'svc', 'kube-dns'], { env, timeout: 30_000 })).stdout;
    assert.match(svcOut, /kube-dns\s+ClusterIP\s+10\.96\.0\.10\s+<none>\s+53\/UDP,53\/TCP/);

    // ns.dns.<zone> now resolves to the Service's address.
    const port = running.dns.addresses()[0]!.port;
    for (let i = 0; i < 100 && !running.dns.index.service('kube-system', 'kube-dns'); i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(rdata(await dig(port, 'ns.dns.cluster.local', 'A'), 'A'), ['10.96.0.10']);
  } finally {
    await running?.stop();
    client.close();
    await api.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
