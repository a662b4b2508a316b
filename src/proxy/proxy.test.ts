// The proxy's sync loop against a real in-process API (memory store), with a recording `exec` in
// place of nft: nothing before the caches sync, full first, then partial transactions, a full
// rewrite after a refused one, stale UDP conntrack deletes after the rules, the table removed on stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { createClient, ENDPOINTSLICES, inProcessTransport, SERVICES, type Client } from '../client/index.js';
import { createRegistry } from '../registry/index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../registry/types.js';
import { createMemoryStore } from '../store/memory/memory-store.js';
import { silentLogger } from '../util/log.js';
import type { Exec } from './exec.js';
import { createProxy } from './proxy.js';
import { slice } from './testdata/fixtures.js';

async function api(): Promise<{ client: Client; close(): Promise<void> }> {
  const store = createMemoryStore();
  const registry = await createRegistry({ store, logger: silentLogger, config: DEFAULT_REGISTRY_CONFIG });
  await registry.create('/namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  const client = createClient(inProcessTransport(registry));
  return { client, close: async () => (client.close(), await store.close()) };
}

function recorder(fail: (argv: readonly string[], stdin: string) => boolean = () => false) {
  const calls: { argv: readonly string[]; stdin: string }[] = [];
  const exec: Exec = async (argv, stdin = '') => {
    calls.push({ argv, stdin });
    if (fail(argv, stdin)) return { code: 1, stdout: '', stderr: 'Error: Could not process rule: No such file or directory' };
    if (argv[0] === 'conntrack') return { code: 1, stdout: '', stderr: 'conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.' };
    return { code: 0, stdout: '', stderr: '' };
  };
  return { calls, exec, nft: () => calls.filter((c) => c.argv[0] === 'nft').map((c) => c.stdin) };
}

// The client's timers are unref'd: hold the event loop open while a test waits on the proxy.
function keepAlive(): () => void {
  const t = setInterval(() => {}, 1000);
  return () => clearInterval(t);
}

async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const udpSlice = (ips: string[]): EndpointSlice => slice('dns', [{ name: 'dns', port: 53, protocol: 'UDP' }], ips.map((ip) => ({ ip })), 'dns-1');

test('sync loop: full first, partial after, full after a refused transaction, conntrack after rules, table removed on stop', async () => {
  const release = keepAlive();
  const { client, close } = await api();
  let refuse = false;
  const rec = recorder((argv) => argv[0] === 'nft' && refuse);
  const proxy = createProxy({ client, nodeName: 'node-a', exec: rec.exec, minSyncIntervalMs: 0, retryMs: 20 });
  try {
    await client.resource(SERVICES).create('default', {
      metadata: { name: 'dns' },
      spec: { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
    });
    assert.equal(rec.calls.length, 0);
    proxy.start();
    await proxy.ready;
    await proxy.idle();
    const first = rec.nft();
    assert.equal(first.length, 1);
    assert.match(first[0], /^add table ip kubesvc\ndelete table ip kubesvc\n/);
    assert.match(first[0], /add element ip kubesvc no-endpoint-services \{ 10\.96\.0\.10 \. udp \. 53 comment "default\/dns:dns" : goto reject-chain \}/);

    // An endpoint appears: a partial transaction, then the conntrack delete for "was unserved".
    await client.resource(ENDPOINTSLICES).create('default', udpSlice(['10.244.0.5']));
    await until(() => rec.nft().length === 2, 'the partial sync');
    await proxy.idle();
    const partial = rec.nft()[1];
    assert.doesNotMatch(partial, /add table/);
    assert.match(partial, /delete element ip kubesvc no-endpoint-services \{ 10\.96\.0\.10 \. udp \. 53 \}/);
    const afterPartial = rec.calls.findIndex((c) => c.stdin === partial);
    assert.deepEqual(rec.calls[afterPartial + 1]?.argv, ['conntrack', '-D', '-p', 'udp', '--orig-dst', '10.96.0.10', '--orig-port-dst', '53']);

    // The endpoint is replaced while the kernel refuses: the retry rewrites everything, and the
    // conntrack delete for the removed endpoint waits for rules that are live.
    refuse = true;
    await client.resource(ENDPOINTSLICES).update('default', udpSlice(['10.244.0.6']));
    await until(() => rec.nft().length >= 3, 'the refused sync');
    const conntrackBefore = rec.calls.filter((c) => c.argv[0] === 'conntrack').length;
    refuse = false;
    await until(() => rec.nft().length >= 4, 'the retry');
    await proxy.idle();
    const retry = rec.nft()[3];
    assert.match(retry, /^add table ip kubesvc\ndelete table ip kubesvc\n/);
    assert.match(retry, /add element ip kubesvc endpoints-udp \{ 10\.96\.0\.10 \. 53 \. 0 comment "default\/dns:dns" : 10\.244\.0\.6 \. 53 \}/);
    const deletes = rec.calls.filter((c) => c.argv[0] === 'conntrack').slice(conntrackBefore).map((c) => c.argv.join(' '));
    assert.deepEqual(deletes, ['conntrack -D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53 --dst-nat 10.244.0.5']);
    assert.equal((await proxy.metrics.syncFailures.get()).values[0].value, 1);
    const latency = await proxy.metrics.programmingLatency.get();
    assert.ok(latency.values.some((v) => v.metricName?.endsWith('_count') && v.value >= 2), JSON.stringify(latency.values));
  } finally {
    await proxy.stop();
    await close();
    release();
  }
  assert.equal(rec.nft().at(-1), 'add table ip kubesvc\ndelete table ip kubesvc\n');
});

test('many changes inside the minimum interval coalesce into one sync', async () => {
  const release = keepAlive();
  const { client, close } = await api();
  const rec = recorder();
  const proxy = createProxy({ client, nodeName: 'node-a', exec: rec.exec, minSyncIntervalMs: 300 });
  try {
    proxy.start();
    await proxy.ready;
    await proxy.idle();
    const base = rec.nft().length;
    for (let i = 0; i < 5; i++) {
      await client.resource(SERVICES).create('default', { metadata: { name: `s${i}` }, spec: { ports: [{ port: 80 }] } });
    }
    await until(() => rec.nft().length > base, 'a sync', 3000);
    await new Promise((r) => setTimeout(r, 400));
    await proxy.idle();
    const syncs = rec.nft().slice(base);
    assert.ok(syncs.length <= 2, `${syncs.length} syncs for 5 changes`);
    for (let i = 0; i < 5; i++) assert.ok(syncs.join('').includes(`comment "default/s${i}"`), `s${i} programmed`);
  } finally {
    await proxy.stop();
    await close();
    release();
  }
});

test('health-check node port: 200 with local endpoints, 503 without, closed when the Service goes', async () => {
  const release = keepAlive();
  const { client, close } = await api();
  const rec = recorder();
  const proxy = createProxy({ client, nodeName: 'node-a', exec: rec.exec, minSyncIntervalMs: 0, healthCheckBindAddress: '127.0.0.1' });
  const get = async (port: number) => {
    const r = await fetch(`http://127.0.0.1:${port}/anything`);
    return { status: r.status, weight: r.headers.get('x-load-balancing-endpoint-weight'), type: r.headers.get('content-type'), body: await r.text() };
  };
  try {
    const svc = await client.resource(SERVICES).create('default', {
      metadata: { name: 'lb' },
      spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] },
    });
    const port = svc.spec!.healthCheckNodePort!;
    assert.ok(port >= 30000 && port <= 32767, `allocated ${port}`);
    await client.resource(ENDPOINTSLICES).create('default', {
      ...slice('lb', [{ port: 8080 }], [{ ip: '10.244.0.5', node: 'node-a' }, { ip: '10.244.1.5', node: 'node-b' }], 'lb-1'),
    });
    proxy.start();
    await proxy.ready;
    await until(() => proxy.healthCheckPorts().includes(port), 'the health server');
    const ok = await get(port);
    assert.deepEqual({ ...ok, body: undefined }, { status: 200, weight: '1', type: 'application/json', body: undefined });
    assert.equal(ok.body, '{\n\t"service": {\n\t\t"namespace": "default",\n\t\t"name": "lb"\n\t},\n\t"localEndpoints": 1,\n\t"serviceProxyHealthy": true\n}');
    await client.resource(ENDPOINTSLICES).update('default', slice('lb', [{ port: 8080 }], [{ ip: '10.244.1.5', node: 'node-b' }], 'lb-1'));
    let unhealthy = await get(port);
    for (let i = 0; i < 200 && unhealthy.status === 200; i++) {
      await new Promise((r) => setTimeout(r, 10));
      unhealthy = await get(port);
    }
    assert.equal(unhealthy.status, 503);
    assert.equal(unhealthy.weight, '0');
    await client.resource(SERVICES).delete('default', 'lb');
    await until(() => !proxy.healthCheckPorts().includes(port), 'the health server to close');
    await assert.rejects(get(port));
  } finally {
    await proxy.stop();
    await close();
    release();
  }
});
