// Golden ruleset and packet-tracer behaviour tests of the nftables generator (no root needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { ChangeTracker } from '../change-tracker.js';
import type { ServicePortState } from '../model.js';
import { cluster, FACTS, NODE_IP, slice, svc, WEB_EPS } from '../testdata/fixtures.js';
import { chainSuffixes, generateRuleset } from './ruleset.js';
import { Tracer, type Packet } from './tracer.js';
import { fullScript } from './transaction.js';

const GOLDEN = new URL('../testdata/cluster.nft', import.meta.url);

export function clusterState(): readonly ServicePortState[] {
  const t = new ChangeTracker(() => 0);
  const { services, slices } = cluster();
  for (const s of services) t.serviceChanged(`default/${s.metadata!.name}`, s);
  for (const s of slices) t.sliceChanged(s, false);
  return t.checkout().state;
}

const rs = generateRuleset(clusterState(), FACTS);
const POD = '10.244.0.5';
const REMOTE_CLIENT = '203.0.113.7';
const tcp = (daddr: string, dport: number, saddr = '10.244.0.99'): Packet => ({ saddr, daddr, proto: 'tcp', dport });

/** Every destination the packet can reach, over all numgen choices (depth 1 is enough here). */
function destinations(p: Packet, origin: 'remote' | 'local'): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < 8; i++) {
    const r = new Tracer(rs, { localAddresses: [NODE_IP], choose: (n) => i % n }).trace(p, origin);
    out.add(r.dnat ? `${r.daddr}:${r.dport}` : r.verdict);
  }
  return out;
}

test('the generated ruleset matches the golden file', () => {
  const got = fullScript(rs);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, got);
  assert.equal(got, readFileSync(GOLDEN, 'utf8'));
});

test('ClusterIP from a pod spreads over every ready endpoint, without masquerade', () => {
  assert.deepEqual(destinations(tcp('10.96.0.20', 80), 'remote'), new Set(WEB_EPS.map((ip) => `${ip}:8080`)));
  const r = new Tracer(rs, { localAddresses: [NODE_IP] }).trace(tcp('10.96.0.20', 80), 'remote');
  assert.equal(r.masquerade, false);
  assert.equal(r.delivered, 'forward');
  // A plain Service: the shared chain for 3 endpoints, not a chain of its own.
  assert.ok(r.chains.includes('lb-3'), r.chains.join(' '));
});

test('ClusterIP from the node itself is masqueraded (the source is not a pod address)', () => {
  const r = new Tracer(rs, { localAddresses: [NODE_IP] }).trace(tcp('10.96.0.20', 80, NODE_IP), 'local');
  assert.equal(r.dnat, true);
  assert.equal(r.masquerade, true);
});

test('a pod reaching itself through its Service (hairpin) is masqueraded', () => {
  const r = new Tracer(rs, { localAddresses: [NODE_IP], choose: () => 0 }).trace(tcp('10.96.0.20', 80, POD), 'remote');
  assert.equal(r.daddr, POD);
  assert.equal(r.masquerade, true);
  const other = new Tracer(rs, { localAddresses: [NODE_IP], choose: () => 1 }).trace(tcp('10.96.0.20', 80, POD), 'remote');
  assert.equal(other.daddr, '10.244.0.6');
  assert.equal(other.masquerade, false);
});

test('a Service without endpoints rejects: TCP with a reset, UDP with ICMP port unreachable', () => {
  const t = new Tracer(rs, { localAddresses: [NODE_IP] });
  const tcpR = t.trace(tcp('10.96.0.10', 53), 'remote');
  assert.equal(tcpR.verdict, 'reject');
  assert.equal(tcpR.reject, 'tcp-reset');
  const udpR = t.trace({ saddr: '10.244.0.99', daddr: '10.96.0.10', proto: 'udp', dport: 53 }, 'local');
  assert.equal(udpR.verdict, 'reject');
  assert.equal(udpR.reject, 'icmp-port-unreachable');
});

test('unallocated service addresses and unused ports of a ClusterIP are rejected, not routed out', () => {
  const t = new Tracer(rs, { localAddresses: [NODE_IP] });
  for (const [p, origin] of [
    [tcp('10.96.0.99', 80), 'remote'],
    [tcp('10.96.0.20', 81), 'remote'],
    [tcp('10.96.0.99', 80, NODE_IP), 'local'],
  ] as const) {
    const r = t.trace(p, origin);
    assert.equal(r.verdict, 'reject', `${p.daddr}:${p.dport} from ${origin}`);
    assert.equal(r.dnat, false);
  }
  // An address outside the service CIDR is none of our business.
  assert.equal(t.trace(tcp('10.97.0.1', 80), 'remote').verdict, 'reject');
  assert.equal(t.trace(tcp('10.112.0.1', 80), 'remote').verdict, 'accept');
});

test('NodePort with externalTrafficPolicy Local: outside clients reach only local endpoints with their source kept', () => {
  assert.deepEqual(destinations(tcp(NODE_IP, 30080, REMOTE_CLIENT), 'remote'), new Set(['10.244.0.8:8080']));
  const r = new Tracer(rs, { localAddresses: [NODE_IP] }).trace(tcp(NODE_IP, 30080, REMOTE_CLIENT), 'remote');
  assert.equal(r.masquerade, false);
  // The node itself has no source to preserve: it may use every endpoint and is masqueraded.
  assert.deepEqual(destinations(tcp(NODE_IP, 30080, NODE_IP), 'local'), new Set(['10.244.0.8:8080', '10.244.1.8:8080']));
  // The ClusterIP of the same Service ignores externalTrafficPolicy.
  assert.deepEqual(destinations(tcp('10.96.0.30', 80), 'remote'), new Set(['10.244.0.8:8080', '10.244.1.8:8080']));
  // A port that is no NodePort is left alone.
  assert.equal(new Tracer(rs, { localAddresses: [NODE_IP] }).trace(tcp(NODE_IP, 30081, REMOTE_CLIENT), 'remote').dnat, false);
});

test('session affinity ClientIP: one client sticks to one endpoint until the timeout passes', () => {
  const dynamicSets = new Map<string, Map<string, number>>();
  const at = (nowMs: number, pick: number) =>
    new Tracer(rs, { localAddresses: [NODE_IP], dynamicSets, nowMs, choose: () => pick }).trace(tcp('10.96.0.40', 80), 'remote').daddr;
  assert.equal(at(0, 1), '10.244.1.9');
  assert.equal(at(10_000, 0), '10.244.1.9', 'sticks within the timeout');
  assert.equal(at(69_000, 0), '10.244.1.9', 'each connection refreshes the timeout');
  assert.equal(at(130_000, 0), '10.244.0.9', 'moves after 60 s without traffic');
  // Another client is balanced independently.
  const other = new Tracer(rs, { localAddresses: [NODE_IP], dynamicSets, nowMs: 130_001, choose: () => 1 }).trace(tcp('10.96.0.40', 80, '10.244.0.77'), 'remote');
  assert.equal(other.daddr, '10.244.1.9');
});

test('LoadBalancer: ingress IP honours loadBalancerSourceRanges; external IPs and NodePort are masqueraded (Cluster policy)', () => {
  const t = new Tracer(rs, { localAddresses: [NODE_IP] });
  const allowed = t.trace(tcp('192.0.2.50', 443, '198.51.100.20'), 'remote');
  assert.equal(allowed.daddr, '10.244.1.10');
  assert.equal(allowed.masquerade, true);
  const denied = t.trace(tcp('192.0.2.50', 443, REMOTE_CLIENT), 'remote');
  assert.equal(denied.verdict, 'drop');
  assert.equal(denied.dnat, false);
  const ext = t.trace(tcp('192.0.2.9', 443, REMOTE_CLIENT), 'remote');
  assert.equal(ext.daddr, '10.244.1.10');
  assert.equal(ext.masquerade, true);
  assert.equal(t.trace(tcp(NODE_IP, 30443, REMOTE_CLIENT), 'remote').daddr, '10.244.1.10');
});

test('internalTrafficPolicy Local without a local endpoint drops (the Service has endpoints elsewhere)', () => {
  const r = new Tracer(rs, { localAddresses: [NODE_IP] }).trace(tcp('10.96.0.60', 80), 'remote');
  assert.equal(r.verdict, 'drop');
  assert.equal(r.dnat, false);
});

test('serving+terminating endpoints are used only when none is ready', () => {
  assert.deepEqual(destinations(tcp('10.96.0.70', 80), 'remote'), new Set(['10.244.0.12:8080']));
  const state = [
    ...clusterState().filter((s) => s.svc.name !== 'draining'),
    ...(() => {
      const t = new ChangeTracker(() => 0);
      t.serviceChanged('default/draining', cluster().services.find((s) => s.metadata!.name === 'draining'));
      t.sliceChanged(slice('draining', [{ port: 8080 }], [{ ip: '10.244.0.12', ready: false, serving: true, terminating: true }, { ip: '10.244.0.14' }]), false);
      return t.checkout().state;
    })(),
  ];
  const r = new Tracer(generateRuleset(state, FACTS), { localAddresses: [NODE_IP], choose: (n) => n - 1 }).trace(tcp('10.96.0.70', 80), 'remote');
  assert.equal(r.daddr, '10.244.0.14');
});

// ---- shared load-balancing chains (plain Services) ----------------------------------------------

/** The cluster with extra Services on the shared chains: a UDP one and a NodePort one with 2 endpoints. */
function withShared() {
  const t = new ChangeTracker(() => 0);
  const { services, slices } = cluster();
  for (const s of services) t.serviceChanged(`default/${s.metadata!.name}`, s);
  for (const s of slices) t.sliceChanged(s, false);
  t.sliceChanged(slice('dns', [{ name: 'dns', port: 5353, protocol: 'UDP' }, { name: 'dns-tcp', port: 5353 }], [{ ip: '10.244.0.30' }, { ip: '10.244.1.31' }]), false);
  t.serviceChanged(
    'default/pub',
    svc('pub', { type: 'NodePort', clusterIP: '10.96.0.80', clusterIPs: ['10.96.0.80'], externalIPs: ['192.0.2.80'], ports: [{ port: 80, nodePort: 30090, protocol: 'TCP' }] }),
  );
  t.sliceChanged(slice('pub', [{ port: 9090 }], [{ ip: '10.244.0.20' }, { ip: '10.244.1.21' }]), false);
  return generateRuleset(t.checkout().state, FACTS);
}

test('shared chains: plain Services have no chain of their own, only map elements naming them', () => {
  const r = withShared();
  const own = [...r.chains.keys()].filter((c) => /-default-(web|dns|pub|lb|draining)-/.test(c));
  assert.deepEqual(own, ['fw-default-lb-443'], 'only the source-range firewall stays per Service');
  for (const c of ['lb-1', 'lb-2', 'lb-3', 'ext-lb-1', 'ext-lb-2', 'nodeport-lb-1', 'nodeport-lb-2']) assert.ok(r.chains.has(c), c);
  const eps = r.sets.get('endpoints-tcp')!.elements.filter((e) => e.comment === 'default/pub');
  assert.deepEqual(
    eps.map((e) => `${e.key.join(' . ')} : ${e.data!.join(' . ')}`),
    ['10.96.0.80 . 80 . 0 : 10.244.0.20 . 9090', '10.96.0.80 . 80 . 1 : 10.244.1.21 . 9090', '192.0.2.80 . 80 . 0 : 10.244.0.20 . 9090', '192.0.2.80 . 80 . 1 : 10.244.1.21 . 9090'],
  );
});

test('shared chains: each numgen draw reaches its endpoint — ClusterIP (TCP and UDP), external IP, NodePort', () => {
  const r = withShared();
  const reach = (p: Packet, origin: 'remote' | 'local', n: number) =>
    Array.from({ length: n }, (_, i) => new Tracer(r, { localAddresses: [NODE_IP], choose: () => i }).trace(p, origin)).map((x) => `${x.daddr}:${x.dport}`);
  assert.deepEqual(reach(tcp('10.96.0.80', 80), 'remote', 2), ['10.244.0.20:9090', '10.244.1.21:9090']);
  assert.deepEqual(reach({ saddr: '10.244.0.99', daddr: '10.96.0.10', proto: 'udp', dport: 53 }, 'remote', 2), ['10.244.0.30:5353', '10.244.1.31:5353']);
  assert.deepEqual(reach(tcp('10.96.0.10', 53), 'remote', 2), ['10.244.0.30:5353', '10.244.1.31:5353']);
  assert.deepEqual(reach(tcp('192.0.2.80', 80, REMOTE_CLIENT), 'remote', 2), ['10.244.0.20:9090', '10.244.1.21:9090']);
  assert.deepEqual(reach(tcp(NODE_IP, 30090, REMOTE_CLIENT), 'remote', 2), ['10.244.0.20:9090', '10.244.1.21:9090']);
  assert.deepEqual(reach(tcp(NODE_IP, 30090, NODE_IP), 'local', 2), ['10.244.0.20:9090', '10.244.1.21:9090']);
  // A port the Service does not have is not DNATed by another Service's elements.
  assert.equal(new Tracer(r, { localAddresses: [NODE_IP] }).trace(tcp('10.96.0.80', 81), 'remote').verdict, 'reject');
});

test('shared chains keep the masquerade rules: off-pod-CIDR sources and every external entry, not pods on a ClusterIP', () => {
  const r = withShared();
  const t = new Tracer(r, { localAddresses: [NODE_IP] });
  const pod = t.trace(tcp('10.96.0.80', 80), 'remote');
  assert.deepEqual([pod.dnat, pod.masquerade, pod.chains.includes('lb-2')], [true, false, true]);
  const node = t.trace(tcp('10.96.0.80', 80, NODE_IP), 'local');
  assert.deepEqual([node.dnat, node.masquerade], [true, true]);
  const outside = t.trace(tcp('10.96.0.80', 80, REMOTE_CLIENT), 'remote');
  assert.deepEqual([outside.dnat, outside.masquerade], [true, true]);
  for (const [p, chain] of [
    [tcp('192.0.2.80', 80, '10.244.0.99'), 'ext-lb-2'],
    [tcp(NODE_IP, 30090, '10.244.0.99'), 'nodeport-lb-2'],
  ] as const) {
    const x = t.trace(p, 'remote');
    assert.deepEqual([x.dnat, x.masquerade, x.chains.includes(chain)], [true, true, true], `${p.daddr}:${p.dport}`);
  }
  // Hairpin: the endpoint itself through the ClusterIP.
  const hp = new Tracer(r, { localAddresses: [NODE_IP], choose: () => 0 }).trace(tcp('10.96.0.80', 80, '10.244.0.20'), 'remote');
  assert.deepEqual([hp.daddr, hp.masquerade], ['10.244.0.20', true]);
});

test('shared chains: a Service whose endpoints all went is rejected (no dispatch element), and lb-N chains follow the counts', () => {
  const t = new ChangeTracker(() => 0);
  const { services, slices } = cluster();
  for (const s of services) t.serviceChanged(`default/${s.metadata!.name}`, s);
  for (const s of slices) t.sliceChanged(s, false);
  const a = generateRuleset(t.checkout().state, FACTS);
  t.sliceChanged(slice('web', [{ name: 'http', port: 8080 }], []), false);
  const b = generateRuleset(t.checkout().state, FACTS, a);
  assert.ok(!b.chains.has('lb-3'), 'nobody uses lb-3 any more');
  assert.ok(!b.sets.get('service-ips')!.elements.some((e) => e.key[0] === '10.96.0.20'));
  const x = new Tracer(b, { localAddresses: [NODE_IP] }).trace(tcp('10.96.0.20', 80), 'remote');
  assert.deepEqual([x.verdict, x.reject, x.dnat], ['reject', 'tcp-reset', false]);
});

test('shared chains without a pod CIDR: ClusterIP traffic is never masqueraded for its source, external entries still are', () => {
  const r = generateRuleset(clusterState(), { ...FACTS, podCIDR: '' });
  assert.deepEqual(r.chains.get('lb-3')!.rules.map((x) => x.stmts[0].s), ['dnat-map', 'dnat-map', 'dnat-map']);
  const t = new Tracer(r, { localAddresses: [NODE_IP] });
  assert.deepEqual([t.trace(tcp('10.96.0.20', 80, NODE_IP), 'local').masquerade, t.trace(tcp('192.0.2.9', 443, REMOTE_CLIENT), 'remote').masquerade], [false, true]);
});

test('headless and ExternalName Services get no rules', () => {
  const names = [...rs.chains.keys()].join(' ');
  assert.doesNotMatch(names, /headless|-ext-/);
});

test('chain names stay readable and get a hash only where two Service ports would collide', () => {
  const t = new ChangeTracker(() => 0);
  t.serviceChanged('a-b/c', { ...svc('c', { clusterIP: '10.96.1.1', clusterIPs: ['10.96.1.1'], ports: [{ name: 'http', port: 80 }] }), metadata: { namespace: 'a-b', name: 'c' } });
  t.serviceChanged('a/b-c', { ...svc('b-c', { clusterIP: '10.96.1.2', clusterIPs: ['10.96.1.2'], ports: [{ name: 'http', port: 80 }] }), metadata: { namespace: 'a', name: 'b-c' } });
  t.serviceChanged('a/d', { ...svc('d', { clusterIP: '10.96.1.3', clusterIPs: ['10.96.1.3'], ports: [{ name: 'http', port: 80 }] }), metadata: { namespace: 'a', name: 'd' } });
  const s = [...chainSuffixes(t.checkout().state).values()];
  assert.equal(s.length, 3);
  assert.equal(new Set(s).size, 3);
  assert.ok(s.includes('a-d-http'));
  assert.ok(s.filter((x) => /^a-b-c-http-[0-9a-f]{8}$/.test(x)).length === 2, s.join(' '));
});
