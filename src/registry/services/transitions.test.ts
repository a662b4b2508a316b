// Type transitions in every direction, update carry-over of allocated values, immutability, and
// the status subresource rules. After every step the allocation keys, the in-memory view and the
// stored Services must agree exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import { createMemoryStore } from '../../store/memory/memory-store.js';
import { CLUSTER_IP_PREFIX, NODE_PORT_PREFIX } from './allocations.js';
import { heldIPs, heldPorts } from './service-alloc.js';
import { SERVICES_PREFIX, ServiceHarness, errorOf } from './testing.js';

const keys = async (h: ServiceHarness, prefix: string) => (await h.store.range(prefix)).items.map((kv) => kv.key.slice(prefix.length)).sort();

/** Every value a stored Service holds has exactly one key, and nothing else does. */
export async function assertConsistent(h: ServiceHarness): Promise<void> {
  const ips: string[] = [];
  const ports: string[] = [];
  for (const kv of (await h.store.range(SERVICES_PREFIX)).items) {
    const s = JSON.parse(kv.value) as Service;
    ips.push(...heldIPs(s));
    ports.push(...heldPorts(s).map(String));
  }
  assert.deepEqual(await keys(h, CLUSTER_IP_PREFIX), [...ips].sort(), 'clusterIP keys');
  assert.deepEqual(await keys(h, NODE_PORT_PREFIX), [...ports].sort(), 'nodePort keys');
  assert.equal(h.strategy.allocations.ips.count(), ips.length, 'in-memory IPs');
  assert.equal(h.strategy.allocations.ports.count(), ports.length, 'in-memory ports');
}

type Kind = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'LoadBalancer-noports' | 'LoadBalancer-local' | 'ExternalName';
const KINDS: Kind[] = ['ClusterIP', 'NodePort', 'LoadBalancer', 'LoadBalancer-noports', 'LoadBalancer-local', 'ExternalName'];

function applyKind(spec: NonNullable<Service['spec']>, k: Kind): void {
  spec.type = k.startsWith('LoadBalancer') ? 'LoadBalancer' : k;
  if (k === 'ExternalName') spec.externalName = 'db.example.com';
  if (k === 'LoadBalancer-noports') spec.allocateLoadBalancerNodePorts = false;
  else if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts = true;
  if (k === 'LoadBalancer-local') spec.externalTrafficPolicy = 'Local';
}

function expectShape(s: Service, k: Kind, label: string): void {
  const spec = s.spec!;
  if (k === 'ExternalName') {
    assert.equal(spec.clusterIP, undefined, `${label}: clusterIP`);
    assert.equal(spec.clusterIPs, undefined, `${label}: clusterIPs`);
    assert.equal(spec.ipFamilies, undefined, `${label}: ipFamilies`);
  } else {
    assert.match(spec.clusterIP ?? '', /^10\.(9[6-9]|10\d|11[01])\./, `${label}: clusterIP`);
    assert.deepEqual(spec.ipFamilies, ['IPv4'], `${label}: ipFamilies`);
  }
  const nps = (spec.ports ?? []).map((p) => p.nodePort);
  if (k === 'NodePort' || k === 'LoadBalancer' || k === 'LoadBalancer-local') assert.ok(nps.every((n) => n && n >= 30000 && n <= 32767), `${label}: nodePorts ${nps}`);
  else assert.ok(nps.every((n) => n === undefined), `${label}: no nodePorts ${nps}`);
  if (k === 'LoadBalancer-local') assert.ok(spec.healthCheckNodePort, `${label}: healthCheckNodePort`);
  else assert.equal(spec.healthCheckNodePort, undefined, `${label}: healthCheckNodePort`);
  if (spec.type !== 'LoadBalancer') assert.equal(spec.allocateLoadBalancerNodePorts, undefined, `${label}: allocateLoadBalancerNodePorts`);
  if (k === 'ClusterIP' || k === 'ExternalName') assert.equal(spec.externalTrafficPolicy, undefined, `${label}: externalTrafficPolicy`);
}

test('every type transition allocates and releases as Kubernetes does', async (t) => {
  for (const from of KINDS) {
    for (const to of KINDS) {
      if (from === to) continue;
      await t.test(`${from} -> ${to}`, async () => {
        const h = await ServiceHarness.open(createMemoryStore());
        const spec: NonNullable<Service['spec']> = { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] };
        applyKind(spec, from);
        const before = await h.create({ metadata: { name: 'web' }, spec });
        expectShape(before, from, 'before');
        await assertConsistent(h);
        // As `kubectl patch`/`edit` would: the stored object with the type changed.
        const after = await h.update('web', (s) => {
          const sp = s.spec!;
          if (from === 'ExternalName') delete sp.externalName;
          if (from === 'LoadBalancer-local') delete sp.externalTrafficPolicy;
          if (from === 'LoadBalancer-noports' && to.startsWith('LoadBalancer')) sp.allocateLoadBalancerNodePorts = true;
          applyKind(sp, to);
        });
        const withPorts = ['NodePort', 'LoadBalancer', 'LoadBalancer-local'];
        const np = (s: Service) => (s.spec?.ports ?? []).map((p) => p.nodePort);
        if (to === 'LoadBalancer-noports' && withPorts.includes(from)) {
          // Turning node-port allocation off keeps the ports the Service has (Kubernetes' rule).
          assert.deepEqual(np(after), np(before));
        } else {
          expectShape(after, to, 'after');
        }
        const stored = (await h.get('web'))!;
        assert.deepEqual(stored.spec, after.spec);
        // Values that both types use are kept.
        if (from !== 'ExternalName' && to !== 'ExternalName') assert.equal(after.spec?.clusterIP, before.spec?.clusterIP);
        if (withPorts.includes(from) && withPorts.includes(to)) assert.deepEqual(np(after), np(before));
        await assertConsistent(h);
        await h.delete('web');
        await assertConsistent(h);
        assert.equal(h.strategy.allocations.ips.count() + h.strategy.allocations.ports.count(), 0);
      });
    }
  }
});

test('re-applying the same manifest keeps clusterIP, node ports and health-check port', async () => {
  const h = await ServiceHarness.open(createMemoryStore());
  const manifest: Service = {
    metadata: { name: 'web' },
    spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  };
  const first = await h.create(manifest);
  const again = await h.update('web', manifest);
  assert.deepEqual(again.spec, first.spec);
  await assertConsistent(h);
  // Changing another field keeps the allocations too.
  const changed = await h.update('web', { ...manifest, spec: { ...manifest.spec, ports: [{ name: 'http', port: 80, targetPort: 9090 }] } });
  assert.equal(changed.spec?.clusterIP, first.spec?.clusterIP);
  assert.equal(changed.spec?.ports?.[0].nodePort, first.spec?.ports?.[0].nodePort);
  assert.equal(changed.spec?.healthCheckNodePort, first.spec?.healthCheckNodePort);
  await assertConsistent(h);
});

test('clusterIP and healthCheckNodePort are immutable; node ports may change', async () => {
  const h = await ServiceHarness.open(createMemoryStore());
  const s = await h.create({ metadata: { name: 'web' }, spec: { type: 'NodePort', clusterIP: '10.96.0.50', selector: { a: 'b' }, ports: [{ port: 80, nodePort: 30100 }] } });
  assert.equal(
    await errorOf(h.update('web', (x) => { x.spec!.clusterIP = '10.96.5.5'; x.spec!.clusterIPs = ['10.96.5.5']; })),
    'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.5.5"}: may not change once set',
  );
  assert.equal(
    await errorOf(h.update('web', (x) => { x.spec!.clusterIP = '10.96.5.5'; })),
    'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.5.5"}: may not change once set',
  );
  // A new node port is claimed and the old one released.
  const moved = await h.update('web', (x) => { x.spec!.ports![0].nodePort = 30101; });
  assert.equal(moved.spec?.ports?.[0].nodePort, 30101);
  assert.deepEqual(await keys(h, NODE_PORT_PREFIX), ['30101']);
  await h.create({ metadata: { name: 'other' }, spec: { type: 'NodePort', selector: { a: 'b' }, ports: [{ port: 80, nodePort: 30100 }] } });
  assert.equal(
    await errorOf(h.update('web', (x) => { x.spec!.ports![0].nodePort = 30100; })),
    'Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 30100: provided port is already allocated',
  );
  assert.equal(s.spec?.clusterIP, '10.96.0.50');
  await h.create({ metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', selector: { a: 'b' }, ports: [{ port: 80 }] } });
  assert.equal(
    await errorOf(h.update('lb', (x) => { x.spec!.healthCheckNodePort = 30999; })),
    'Service "lb" is invalid: spec.healthCheckNodePort: Invalid value: 30999: cannot change healthCheckNodePort on loadBalancer service with externalTraffic=Local during update',
  );
  // Moving to ExternalName and back to ClusterIP may name a new address.
  await h.update('web', (x) => { x.spec!.type = 'ExternalName'; x.spec!.externalName = 'example.com'; });
  const back = await h.update('web', (x) => { x.spec!.type = 'ClusterIP'; x.spec!.clusterIP = '10.96.0.77'; });
  assert.equal(back.spec?.clusterIP, '10.96.0.77');
  assert.deepEqual(back.spec?.clusterIPs, ['10.96.0.77']);
  await assertConsistent(h);
});

test('status: only through /status, spec changes there ignored, validated', async () => {
  const h = await ServiceHarness.open(createMemoryStore());
  const s = await h.create({ metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', selector: { a: 'b' }, ports: [{ port: 80 }] } });
  // Status through the main resource is ignored.
  const viaMain = await h.update('lb', (x) => { (x as { status?: unknown }).status = { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } }; });
  assert.deepEqual(viaMain.status, { loadBalancer: {} });
  // Spec through /status is ignored; ipMode defaults to VIP.
  const st = await h.updateStatus('lb', {
    ...s,
    spec: { ...s.spec, type: 'NodePort' },
    status: {
      loadBalancer: { ingress: [{ ip: '192.0.2.10' }] },
      conditions: [{ type: 'Ready', status: 'True', reason: 'Provisioned', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' }],
    },
  });
  assert.equal(st.spec?.type, 'LoadBalancer');
  assert.deepEqual(st.status?.loadBalancer, { ingress: [{ ip: '192.0.2.10', ipMode: 'VIP' }] });
  assert.equal((await h.get('lb'))?.status?.conditions?.[0].reason, 'Provisioned');
  assert.equal(
    await errorOf(h.updateStatus('lb', { ...s, status: { loadBalancer: { ingress: [{ ip: 'nope', ipMode: 'VIP' }] } } })),
    'Service "lb" is invalid: status.loadBalancer.ingress[0].ip: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
  );
  assert.equal(
    await errorOf(h.updateStatus('lb', { ...s, status: { loadBalancer: { ingress: [{ hostname: '192.0.2.1' }] } } })),
    'Service "lb" is invalid: status.loadBalancer.ingress[0].hostname: Invalid value: "192.0.2.1": must be a DNS name, not an IP address',
  );
  assert.equal(
    await errorOf(h.updateStatus('lb', { ...s, status: { loadBalancer: { ingress: [{ ip: '192.0.2.10', ipMode: 'Direct' }] } } })),
    'Service "lb" is invalid: status.loadBalancer.ingress[0].ipMode: Unsupported value: "Direct": supported values: "Proxy", "VIP"',
  );
  assert.equal(
    await errorOf(h.updateStatus('lb', { ...s, status: { loadBalancer: { ingress: [{ hostname: 'lb.example.com', ipMode: 'VIP' }] } } })),
    'Service "lb" is invalid: status.loadBalancer.ingress[0].ipMode: Forbidden: may not be specified when `ip` is not set',
  );
  await h.create({ metadata: { name: 'cip' }, spec: { selector: { a: 'b' }, ports: [{ port: 80 }] } });
  const cip = (await h.get('cip'))!;
  assert.equal(
    await errorOf(h.updateStatus('cip', { ...cip, status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } } })),
    "Service \"cip\" is invalid: status.loadBalancer.ingress: Forbidden: may only be used when `spec.type` is 'LoadBalancer'",
  );
  // Leaving LoadBalancer clears the load-balancer status.
  const np = await h.update('lb', (x) => { x.spec!.type = 'NodePort'; delete x.spec!.allocateLoadBalancerNodePorts; });
  assert.deepEqual(np.status?.loadBalancer, {});
  assert.equal(np.status?.conditions?.[0].type, 'Ready');
});
