// ClusterIP and NodePort allocation through the Service strategy and a memory store: ranges,
// bands, requested values, exact refusal texts, dry-run, failed writes, and the store keys that
// make allocations durable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import { createMemoryStore } from '../../store/memory/memory-store.js';
import { CLUSTER_IP_PREFIX, NODE_PORT_PREFIX } from './allocations.js';
import { ServiceHarness, errorOf } from './testing.js';

const svc = (name: string, spec: Service['spec'] = {}): Service => ({
  metadata: { name },
  spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
});
const ipNum = (ip: string) => ip.split('.').reduce((a, b) => a * 256 + Number(b), 0);
const keys = async (h: ServiceHarness, prefix: string) => (await h.store.range(prefix)).items.map((kv) => kv.key.slice(prefix.length));

test('defaults and allocated fields of a ClusterIP Service', async () => {
  const h = await ServiceHarness.open(createMemoryStore());
  const s = await h.create({ metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
  assert.equal(s.spec?.type, 'ClusterIP');
  assert.equal(s.spec?.sessionAffinity, 'None');
  assert.equal(s.spec?.internalTrafficPolicy, 'Cluster');
  assert.equal(s.spec?.externalTrafficPolicy, undefined);
  assert.deepEqual(s.spec?.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
  assert.deepEqual(s.spec?.ipFamilies, ['IPv4']);
  assert.equal(s.spec?.ipFamilyPolicy, 'SingleStack');
  assert.deepEqual(s.spec?.clusterIPs, [s.spec?.clusterIP]);
  assert.deepEqual(s.status, { loadBalancer: {} });
  const n = ipNum(s.spec!.clusterIP!);
  // Upper band of 10.96.0.0/12: above the 256 addresses kept for static requests.
  assert.ok(n > ipNum('10.96.1.0') && n < ipNum('10.111.255.255'), s.spec?.clusterIP);
  assert.deepEqual(await keys(h, CLUSTER_IP_PREFIX), [s.spec!.clusterIP]);
  const owner = JSON.parse((await h.store.get(`${CLUSTER_IP_PREFIX}${s.spec!.clusterIP}`))!.value);
  assert.equal(owner.namespace, 'default');
  assert.equal(owner.name, 'web');
});

test('defaults for NodePort, LoadBalancer and ClientIP affinity', async () => {
  const h = await ServiceHarness.open(createMemoryStore());
  const np = await h.create(svc('np', { type: 'NodePort' }));
  assert.equal(np.spec?.externalTrafficPolicy, 'Cluster');
  assert.equal(np.spec?.allocateLoadBalancerNodePorts, undefined);
  const lb = await h.create(svc('lb', { type: 'LoadBalancer' }));
  assert.equal(lb.spec?.allocateLoadBalancerNodePorts, true);
  assert.equal(lb.spec?.externalTrafficPolicy, 'Cluster');
  assert.equal(lb.spec?.healthCheckNodePort, undefined);
  const ca = await h.create(svc('ca', { sessionAffinity: 'ClientIP' }));
  assert.deepEqual(ca.spec?.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  // With affinity None a config is dropped by defaulting, not refused.
  const none = await h.create(svc('none', { sessionAffinity: 'None', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }));
  assert.equal(none.spec?.sessionAffinityConfig, undefined);
  const en = await h.create({ metadata: { name: 'en' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
  assert.equal(en.spec?.clusterIP, undefined);
  assert.equal(en.spec?.ipFamilies, undefined);
  assert.equal(en.spec?.internalTrafficPolicy, undefined);
  const hl = await h.create({ metadata: { name: 'hl' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } });
  // Headless and selectorless: dual-stack families even on a single-stack cluster, as Kubernetes.
  assert.equal(hl.spec?.ipFamilyPolicy, 'RequireDualStack');
  assert.deepEqual(hl.spec?.ipFamilies, ['IPv4', 'IPv6']);
  assert.deepEqual(hl.spec?.clusterIPs, ['None']);
});

test('kubernetes gets the first address, DNS the tenth on request; refusals use Kubernetes texts', async () => {
  const h = await ServiceHarness.open(createMemoryStore());
  const k = await h.create({ metadata: { name: 'kubernetes' }, spec: { ports: [{ name: 'https', port: 443, targetPort: 6443 }] } });
  assert.equal(k.spec?.clusterIP, '10.96.0.1');
  const dns = await h.create(svc('kube-dns', { clusterIP: '10.96.0.10' }));
  assert.deepEqual(dns.spec?.clusterIPs, ['10.96.0.10']);
  assert.equal(
    await errorOf(h.create(svc('again', { clusterIP: '10.96.0.10' }))),
    'Service "again" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated',
  );
  for (const ip of ['1.1.1.1', '10.96.0.0', '10.111.255.255']) {
    assert.equal(
      await errorOf(h.create(svc('out', { clusterIP: ip }))),
      `Service "out" is invalid: spec.clusterIPs: Invalid value: []string{"${ip}"}: failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is 10.96.0.0/12`,
    );
  }
  assert.ok(await h.create(svc('last', { clusterIP: '10.111.255.254' })));
});

test('a small range: upper band first, then the lower band, then "range is full"', async () => {
  // 10.0.0.0/24: 254 usable addresses, the first 16 kept for static requests.
  const h = await ServiceHarness.open(createMemoryStore(), { serviceCIDR: '10.0.0.0/24', nodePortRange: { base: 30000, size: 2768 } });
  const got: number[] = [];
  for (let i = 0; i < 254; i++) got.push(ipNum((await h.create(svc(`s${i}`))).spec!.clusterIP!) - ipNum('10.0.0.0'));
  assert.ok(got.slice(0, 238).every((n) => n >= 17 && n <= 254), 'upper band first');
  assert.deepEqual(got.slice(238).sort((a, b) => a - b), Array.from({ length: 16 }, (_, i) => i + 1));
  assert.equal(new Set(got).size, 254);
  assert.equal(await errorOf(h.create(svc('full'))), 'Internal error occurred: failed to allocate a serviceIP: range is full');
  // Headless and ExternalName Services need no address.
  assert.ok(await h.create(svc('headless', { clusterIP: 'None' })));
  assert.ok(await h.create({ metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } }));
});

test('node ports: requested, taken, out of range, shared by TCP and UDP, none for LB without node ports', async () => {
  const h = await ServiceHarness.open(createMemoryStore());
  const a = await h.create(svc('my-svc', { type: 'NodePort', ports: [{ name: '80-8080', port: 80, targetPort: 8080, nodePort: 30080 }] }));
  assert.equal(a.spec?.ports?.[0].nodePort, 30080);
  assert.equal(
    await errorOf(h.create(svc('my-svc2', { type: 'NodePort', ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] }))),
    'Service "my-svc2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
  );
  assert.equal(
    await errorOf(h.create(svc('low', { type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] }))),
    'Service "low" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767',
  );
  const web = await h.create(svc('web', { type: 'NodePort' }));
  const np = web.spec!.ports![0].nodePort!;
  // Dynamic ports come from above the 86-port static band (30000-30085).
  assert.ok(np >= 30086 && np <= 32767, String(np));
  const dns = await h.create(
    svc('dns', {
      type: 'NodePort',
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        { name: 'metrics', port: 9153, protocol: 'TCP' },
      ],
    }),
  );
  const [u, t, m] = dns.spec!.ports!.map((p) => p.nodePort);
  assert.equal(u, t);
  assert.notEqual(u, m);
  const lb = await h.create(svc('lb', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false }));
  assert.equal(lb.spec?.ports?.[0].nodePort, undefined);
  const lb2 = await h.create(
    svc('lb2', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [{ name: 'a', port: 80, nodePort: 30555 }, { name: 'b', port: 81 }] }),
  );
  assert.deepEqual(lb2.spec?.ports?.map((p) => p.nodePort), [30555, undefined]);
  const local = await h.create(svc('local', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }));
  const hc = local.spec!.healthCheckNodePort!;
  assert.ok(hc >= 30000 && hc <= 32767 && hc !== local.spec!.ports![0].nodePort);
  const held = (await keys(h, NODE_PORT_PREFIX)).map(Number).sort();
  assert.deepEqual(held, [30080, np, u!, m!, 30555, local.spec!.ports![0].nodePort!, hc].sort());
  assert.equal(h.strategy.allocations.ports.count(), held.length);
  assert.equal(
    await errorOf(h.create(svc('hc', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 30080 }))),
    'Internal error occurred: failed to allocate requested HealthCheck NodePort 30080: provided port is already allocated',
  );
  // Nothing leaked by the refusals.
  assert.equal(h.strategy.allocations.ports.count(), held.length);
});

test('node port range full', async () => {
  const h = await ServiceHarness.open(createMemoryStore(), { serviceCIDR: '10.96.0.0/12', nodePortRange: { base: 31000, size: 3 } });
  for (let i = 0; i < 3; i++) await h.create(svc(`n${i}`, { type: 'NodePort' }));
  assert.equal(await errorOf(h.create(svc('n3', { type: 'NodePort' }))), 'Internal error occurred: failed to allocate a nodePort: range is full');
  // The ClusterIP the refused Service took tentatively was given back.
  assert.equal(h.strategy.allocations.ips.count(), 3);
  assert.deepEqual((await keys(h, NODE_PORT_PREFIX)).sort(), ['31000', '31001', '31002']);
});

test('dry-run allocates nothing but still refuses a taken value', async () => {
  const h = await ServiceHarness.open(createMemoryStore());
  await h.create(svc('a', { type: 'NodePort', clusterIP: '10.96.0.20', ports: [{ port: 80, nodePort: 30080 }] }));
  const d = await h.create(svc('b', { type: 'NodePort' }), { dryRun: true });
  assert.ok(d.spec?.clusterIP && d.spec.ports?.[0].nodePort, 'dry-run shows what would be allocated');
  assert.equal(h.strategy.allocations.ips.count(), 1);
  assert.equal(h.strategy.allocations.ports.count(), 1);
  assert.equal(await h.get('b'), null);
  assert.match(await errorOf(h.create(svc('c', { clusterIP: '10.96.0.20' }), { dryRun: true })), /provided IP is already allocated/);
  assert.match(await errorOf(h.create(svc('c', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }), { dryRun: true })), /provided port is already allocated/);
  assert.deepEqual(await keys(h, CLUSTER_IP_PREFIX), ['10.96.0.20']);
});

test('a write that fails (name taken) leaks nothing', async () => {
  const h = await ServiceHarness.open(createMemoryStore());
  await h.create(svc('a', { type: 'NodePort' }));
  assert.match(await errorOf(h.create(svc('a', { type: 'NodePort', clusterIP: '10.96.0.30', ports: [{ port: 80, nodePort: 30333 }] }))), /conflict/);
  assert.equal(h.strategy.allocations.ips.count(), 1);
  assert.equal(h.strategy.allocations.ports.count(), 1);
  // The values are free again: another Service can have them.
  assert.ok(await h.create(svc('b', { type: 'NodePort', clusterIP: '10.96.0.30', ports: [{ port: 80, nodePort: 30333 }] })));
});

test('a value another writer holds in the store is skipped or refused (stale in-memory view)', async () => {
  // random() = 0: the first dynamic pick is always the first slot of the upper band (10.96.1.1).
  const h = await ServiceHarness.open(createMemoryStore(), undefined, () => 0);
  const other = JSON.stringify({ namespace: 'elsewhere', name: 'other' });
  await h.store.txn([], [{ type: 'put', key: `${CLUSTER_IP_PREFIX}10.96.1.1`, value: other }, { type: 'put', key: `${NODE_PORT_PREFIX}30200`, value: other }]);
  // The strategy follows allocation keys, so its view learns of them; make it stale on purpose.
  await new Promise((r) => setTimeout(r, 10));
  const a = h.strategy.allocations;
  assert.ok(a.ips.has(a.ipRange.indexOf('10.96.1.1')) && a.ports.has(200), 'followed the other writer');
  a.ips.clear(a.ipRange.indexOf('10.96.1.1'));
  a.ports.clear(200);
  const s = await h.create(svc('a'));
  assert.equal(s.spec?.clusterIP, '10.96.1.2');
  assert.equal(
    await errorOf(h.create(svc('b', { type: 'NodePort', ports: [{ port: 80, nodePort: 30200 }] }))),
    'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30200: provided port is already allocated',
  );
});

test('delete releases the IP and node ports and deletes the same-named Endpoints', async () => {
  const h = await ServiceHarness.open(createMemoryStore());
  const s = await h.create(svc('web', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }));
  const epKey = '/registry/core/endpoints/default/web';
  await h.store.txn([], [{ type: 'put', key: epKey, value: '{"metadata":{"name":"web","namespace":"default"}}' }]);
  await h.delete('web');
  assert.equal(await h.store.get(epKey), null);
  assert.deepEqual(await keys(h, CLUSTER_IP_PREFIX), []);
  assert.deepEqual(await keys(h, NODE_PORT_PREFIX), []);
  assert.equal(h.strategy.allocations.ips.count(), 0);
  assert.equal(h.strategy.allocations.ports.count(), 0);
  // The exact values can be requested again.
  const again = await h.create(
    svc('web2', { type: 'NodePort', clusterIP: s.spec!.clusterIP, ports: [{ port: 80, nodePort: s.spec!.ports![0].nodePort }] }),
  );
  assert.equal(again.spec?.clusterIP, s.spec?.clusterIP);
});

test('a refused requested value is reported alone, before validation errors (Kubernetes allocates first)', async () => {
  const h = await ServiceHarness.open(createMemoryStore());
  await h.create(svc('a', { type: 'NodePort', clusterIP: '10.96.0.40', ports: [{ port: 80, nodePort: 30040 }] }));
  // Two unnamed ports would be a validation error; the taken node port is reported instead.
  assert.equal(
    await errorOf(h.create(svc('b', { type: 'NodePort', ports: [{ port: 80 }, { port: 81, nodePort: 30040 }] }))),
    'Service "b" is invalid: spec.ports[1].nodePort: Invalid value: 30040: provided port is already allocated',
  );
  // The clusterIP comes before node ports, as in allocateCreate.
  assert.equal(
    await errorOf(h.create(svc('c', { type: 'NodePort', clusterIP: '10.96.0.40', selector: { 'bad key': 'x' }, ports: [{ port: 80, nodePort: 8080 }] }))),
    'Service "c" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.40"}: failed to allocate IP 10.96.0.40: provided IP is already allocated',
  );
  // Once the values are free, validation speaks.
  assert.equal(
    await errorOf(h.create(svc('b', { type: 'NodePort', ports: [{ port: 80 }, { port: 81, nodePort: 30041 }] }))),
    'Service "b" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: Required value]',
  );
  // On update only values the Service does not hold yet are checked.
  const moved = await h.update('a', (x) => { x.spec!.selector = { app: 'other' }; });
  assert.equal(moved.spec?.ports?.[0].nodePort, 30040);
  await h.create(svc('d', { type: 'NodePort', ports: [{ name: 'x', port: 80, nodePort: 30042 }] }));
  assert.equal(
    await errorOf(h.update('a', (x) => { x.spec!.ports!.push({ port: 81, nodePort: 30042 }); })),
    'Service "a" is invalid: spec.ports[1].nodePort: Invalid value: 30042: provided port is already allocated',
  );
  assert.equal(h.strategy.allocations.ports.count(), 2);
});
