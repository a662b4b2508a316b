import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApiServer } from '../apiserver/index.js';
import { createClient, inProcessTransport, NODES } from '../client/index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../registry/types.js';
import { createMemoryStore } from '../store/memory/memory-store.js';
import { silentLogger } from '../util/log.js';
import { CommandError, type Runner } from '../node/exec.js';
import { gatewayOf, resolveNodeAddress } from './node-address.js';

function recorder(existingBridge = false): { run: Runner; calls: string[] } {
  const calls: string[] = [];
  const run: Runner = async (cmd, args) => {
    const line = [cmd, ...args].join(' ');
    calls.push(line);
    if (existingBridge && line.startsWith('ip link add')) throw new CommandError(line, 2, 'RTNETLINK answers: File exists\n');
    return { stdout: '', stderr: '' };
  };
  return { run, calls };
}

async function withApi(fn: (client: ReturnType<typeof createClient>) => Promise<void>): Promise<void> {
  const store = createMemoryStore();
  const api = createApiServer({ store, logger: silentLogger, registryConfig: DEFAULT_REGISTRY_CONFIG, skipBootstrap: true });
  await api.ready;
  const client = createClient(inProcessTransport(api.registry));
  try {
    await fn(client);
  } finally {
    client.close();
    await api.close().catch(() => {});
    await store.close();
  }
}

test('gatewayOf: the first address of the pod CIDR', () => {
  assert.equal(gatewayOf('10.244.0.0/24'), '10.244.0.1');
  assert.equal(gatewayOf('10.244.9.0/24'), '10.244.9.1');
});

test('loopback --listen: the pod bridge gateway of the first free /24, bridge created with it', () =>
  withApi(async (client) => {
    await client.resource(NODES).create(undefined, { metadata: { name: 'other' }, spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] } });
    const { run, calls } = recorder(true);
    const a = await resolveNodeAddress({ client, nodeName: 'n1', listenHost: '127.0.0.1', isolated: true, run });
    assert.deepEqual(a, { ip: '10.244.1.1', podCIDR: '10.244.1.0/24', source: 'bridge' });
    assert.deepEqual(calls, ['ip link add kubesvc0 type bridge', 'ip addr replace 10.244.1.1/24 dev kubesvc0', 'ip link set kubesvc0 up']);
  }));

test('a Node registered by a previous run keeps its pod CIDR; --pod-cidr otherwise', () =>
  withApi(async (client) => {
    await client.resource(NODES).create(undefined, { metadata: { name: 'n1' }, spec: { podCIDR: '10.244.7.0/24', podCIDRs: ['10.244.7.0/24'] } });
    const a = await resolveNodeAddress({ client, nodeName: 'n1', podCIDR: '10.244.3.0/24', listenHost: '127.0.0.1', isolated: true, run: recorder().run });
    assert.equal(a.ip, '10.244.7.1');
    const b = await resolveNodeAddress({ client, nodeName: 'n2', podCIDR: '10.244.3.0/24', listenHost: '0.0.0.0', isolated: true, run: recorder().run });
    assert.deepEqual(b, { ip: '10.244.3.1', podCIDR: '10.244.3.0/24', source: 'bridge' });
  }));

test('--node-ip wins; a non-loopback --listen host is used as is; no bridge touched', () =>
  withApi(async (client) => {
    const r = recorder();
    assert.deepEqual(await resolveNodeAddress({ client, nodeName: 'n', nodeIP: '192.0.2.7', listenHost: '127.0.0.1', isolated: false, run: r.run, localAddresses: () => ['127.0.0.1', '192.0.2.7'] }), {
      ip: '192.0.2.7',
      podCIDR: undefined,
      source: 'node-ip',
    });
    assert.deepEqual(await resolveNodeAddress({ client, nodeName: 'n', listenHost: '192.0.2.8', isolated: false, run: r.run }), { ip: '192.0.2.8', podCIDR: undefined, source: 'listen' });
    assert.deepEqual(r.calls, []);
    await assert.rejects(resolveNodeAddress({ client, nodeName: 'n', nodeIP: '192.0.2.9', listenHost: '127.0.0.1', isolated: false, run: r.run, localAddresses: () => [] }), /--node-ip 192.0.2.9 is not an address of this host/);
    // Under --isolated the namespace is ours: the address goes onto loopback.
    await resolveNodeAddress({ client, nodeName: 'n', nodeIP: '192.0.2.9', listenHost: '127.0.0.1', isolated: true, run: r.run, localAddresses: () => [] });
    assert.deepEqual(r.calls, ['ip addr add 192.0.2.9/32 dev lo']);
  }));
