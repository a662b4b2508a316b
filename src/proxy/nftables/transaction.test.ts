// Incremental nft scripts: only what changed is touched, in an order the kernel accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeTracker } from '../change-tracker.js';
import { cluster, FACTS, slice, svc } from '../testdata/fixtures.js';
import { generateRuleset } from './ruleset.js';
import { fullScript, incrementalScript, refreshScript } from './transaction.js';

function tracked(): ChangeTracker {
  const t = new ChangeTracker(() => 0);
  const { services, slices } = cluster();
  for (const s of services) t.serviceChanged(`default/${s.metadata!.name}`, s);
  for (const s of slices) t.sliceChanged(s, false);
  return t;
}

test('no change → empty script', () => {
  const t = tracked();
  const a = generateRuleset(t.checkout().state, FACTS);
  const b = generateRuleset(t.checkout().state, FACTS);
  assert.equal(incrementalScript(a, b), '');
});

test('a new endpoint of a plain Service: map elements only — its dispatch element moves to lb-4, which is created', () => {
  const t = tracked();
  const before = generateRuleset(t.checkout().state, FACTS);
  t.sliceChanged(slice('web', [{ name: 'http', port: 8080 }], [{ ip: '10.244.0.5' }, { ip: '10.244.0.6' }, { ip: '10.244.1.7' }, { ip: '10.244.0.40' }]), false);
  const after = generateRuleset(t.checkout().state, FACTS);
  const lines = incrementalScript(before, after)!.trim().split('\n');
  assert.deepEqual(lines, [
    'add chain ip kubesvc lb-4',
    'add rule ip kubesvc lb-4 ip saddr != 10.244.0.0/16 jump mark-for-masquerade',
    'add rule ip kubesvc lb-4 meta l4proto tcp dnat ip addr . port to ip daddr . tcp dport . numgen random mod 4 map @endpoints-tcp',
    'add rule ip kubesvc lb-4 meta l4proto udp dnat ip addr . port to ip daddr . udp dport . numgen random mod 4 map @endpoints-udp',
    'add rule ip kubesvc lb-4 meta l4proto sctp dnat ip addr . port to ip daddr . sctp dport . numgen random mod 4 map @endpoints-sctp',
    'delete element ip kubesvc service-ips { 10.96.0.20 . tcp . 80 }',
    'add element ip kubesvc service-ips { 10.96.0.20 . tcp . 80 comment "default/web:http" : goto lb-4 }',
    // Endpoints are indexed in the tracker's (sorted) order: the new one takes index 2, 10.244.1.7 moves to 3.
    'delete element ip kubesvc endpoints-tcp { 10.96.0.20 . 80 . 2 }',
    'add element ip kubesvc endpoints-tcp { 10.96.0.20 . 80 . 2 comment "default/web:http" : 10.244.0.40 . 8080 }',
    'add element ip kubesvc endpoints-tcp { 10.96.0.20 . 80 . 3 comment "default/web:http" : 10.244.1.7 . 8080 }',
    'add element ip kubesvc hairpin-endpoints { 10.244.0.40 . 10.244.0.40 }',
    // web was the only Service with 3 endpoints.
    'flush chain ip kubesvc lb-3',
    'delete chain ip kubesvc lb-3',
  ]);
});

test('an endpoint replaced (same count): one endpoints element swapped, nothing else', () => {
  const t = tracked();
  const before = generateRuleset(t.checkout().state, FACTS);
  t.sliceChanged(slice('web', [{ name: 'http', port: 8080 }], [{ ip: '10.244.0.5' }, { ip: '10.244.0.41' }, { ip: '10.244.1.7' }]), false);
  const after = generateRuleset(t.checkout().state, FACTS, before);
  assert.deepEqual(incrementalScript(before, after)!.trim().split('\n'), [
    'delete element ip kubesvc endpoints-tcp { 10.96.0.20 . 80 . 1 }',
    'add element ip kubesvc endpoints-tcp { 10.96.0.20 . 80 . 1 comment "default/web:http" : 10.244.0.41 . 8080 }',
    'delete element ip kubesvc hairpin-endpoints { 10.244.0.6 . 10.244.0.6 }',
    'add element ip kubesvc hairpin-endpoints { 10.244.0.41 . 10.244.0.41 }',
  ]);
});

test('a Service with its own chain (affinity): a new endpoint refills its chain', () => {
  const t = tracked();
  const before = generateRuleset(t.checkout().state, FACTS);
  t.sliceChanged(slice('sticky', [{ port: 8080 }], [{ ip: '10.244.0.9', node: 'node-a' }, { ip: '10.244.1.9', node: 'node-b' }, { ip: '10.244.0.42' }]), false);
  const after = generateRuleset(t.checkout().state, FACTS, before);
  const lines = incrementalScript(before, after)!.trim().split('\n');
  assert.ok(lines.includes('add set ip kubesvc aff-default-sticky-80-10.244.0.42-8080 { type ipv4_addr ; flags dynamic,timeout ; timeout 60s ; }'));
  assert.ok(lines.includes('flush chain ip kubesvc svc-default-sticky-80'));
  // The cascade: mod 3, 2, then the last endpoint unconditionally.
  assert.deepEqual(
    lines.filter((l) => l.startsWith('add rule') && / numgen /.test(l)).map((l) => /numgen random mod (\d+)/.exec(l)![1]),
    ['3', '2'],
  );
  assert.ok(!lines.some((l) => /element ip kubesvc (endpoints-tcp|service-ips) /.test(l)), 'its dispatch element still points at its chain');
});

test('the last endpoint going away: dispatch and endpoint elements go, the no-endpoint entries (reject) come', () => {
  const t = tracked();
  const before = generateRuleset(t.checkout().state, FACTS);
  t.sliceChanged(slice('lb', [{ port: 8443 }], []), false);
  const after = generateRuleset(t.checkout().state, FACTS);
  const lines = incrementalScript(before, after)!.trim().split('\n');
  assert.ok(lines.includes('delete element ip kubesvc service-ips { 10.96.0.50 . tcp . 443 }'));
  assert.ok(lines.includes('delete element ip kubesvc service-nodeports { tcp . 30443 }'));
  assert.ok(lines.includes('delete element ip kubesvc endpoints-tcp { 192.0.2.50 . 443 . 0 }'));
  assert.ok(lines.includes('delete element ip kubesvc nodeport-endpoints-tcp { 30443 . 0 }'));
  assert.ok(lines.includes('add element ip kubesvc no-endpoint-services { 10.96.0.50 . tcp . 443 comment "default/lb" : goto reject-chain }'), lines.join('\n'));
  assert.ok(lines.includes('add element ip kubesvc no-endpoint-nodeports { tcp . 30443 comment "default/lb" : goto reject-chain }'));
  assert.ok(lines.includes('delete element ip kubesvc hairpin-endpoints { 10.244.1.10 . 10.244.1.10 }'));
  // lb was the only user of the external and NodePort chains for one endpoint; draining still uses lb-1.
  assert.ok(lines.includes('delete chain ip kubesvc ext-lb-1') && lines.includes('delete chain ip kubesvc nodeport-lb-1'));
  assert.ok(!lines.includes('delete chain ip kubesvc lb-1'));
  assert.ok(lines.indexOf('delete element ip kubesvc service-nodeports { tcp . 30443 }') < lines.indexOf('delete chain ip kubesvc nodeport-lb-1'));
  assert.equal(lines.filter((l) => l.startsWith('add rule')).length, 0);
});

test('the periodic full resync rewrites in place: no table delete, affinity sets kept, every chain refilled', () => {
  const t = tracked();
  const before = generateRuleset(t.checkout().state, FACTS);
  t.serviceChanged('default/web', undefined);
  const after = generateRuleset(t.checkout().state, FACTS, before);
  const lines = refreshScript(before, after)!.trim().split('\n');
  assert.ok(!lines.some((l) => l.startsWith('delete table') || l.startsWith('flush table')));
  assert.ok(!lines.some((l) => /^(flush|delete) set ip kubesvc aff-/.test(l)), 'affinity sets survive');
  assert.ok(lines.includes('add set ip kubesvc aff-default-sticky-80-10.244.0.9-8080 { type ipv4_addr ; flags dynamic,timeout ; timeout 60s ; }'));
  assert.ok(lines.includes('flush map ip kubesvc service-ips'));
  // web was the only Service on lb-3.
  const flush = lines.indexOf('flush chain ip kubesvc lb-3');
  const del = lines.indexOf('delete chain ip kubesvc lb-3');
  assert.ok(flush >= 0 && del > flush, 'a removed chain is emptied before it is deleted');
  assert.ok(lines.includes('flush map ip kubesvc endpoints-tcp'));
  assert.ok(lines.includes('add rule ip kubesvc svc-default-sticky-80 numgen random mod 2 == 0 meta l4proto tcp update @aff-default-sticky-80-10.244.0.9-8080 { ip saddr } dnat to 10.244.0.9:8080'));
});

test('deleting a Service deletes its map elements before its chains, and its affinity sets after them', () => {
  const t = tracked();
  const before = generateRuleset(t.checkout().state, FACTS);
  t.serviceChanged('default/sticky', undefined);
  const after = generateRuleset(t.checkout().state, FACTS);
  const lines = incrementalScript(before, after)!.trim().split('\n');
  const el = lines.indexOf('delete element ip kubesvc service-ips { 10.96.0.40 . tcp . 80 }');
  const ch = lines.indexOf('delete chain ip kubesvc svc-default-sticky-80');
  const set = lines.indexOf('delete set ip kubesvc aff-default-sticky-80-10.244.0.9-8080');
  assert.ok(el >= 0 && ch > el && set > ch, lines.join('\n'));
  assert.ok(lines.includes('delete element ip kubesvc cluster-ips { 10.96.0.40 }'));
});

test('a full script starts by replacing the table', () => {
  const s = fullScript(generateRuleset(tracked().checkout().state, FACTS)).split('\n');
  assert.deepEqual(s.slice(0, 3), ['add table ip kubesvc', 'delete table ip kubesvc', 'add table ip kubesvc']);
});

test('the fragment fast path (reused fragments) and the generic diff agree', () => {
  const t = tracked();
  const a = generateRuleset(t.checkout().state, FACTS);
  t.sliceChanged(slice('web', [{ name: 'http', port: 8080 }], [{ ip: '10.244.0.5' }, { ip: '10.244.2.1' }]), false);
  t.serviceChanged('default/sticky', undefined);
  t.sliceChanged(slice('lb', [{ port: 8443 }], []), false);
  const b = generateRuleset(t.checkout().state, FACTS, a);
  const reused = [...b.fragments].filter(([k, f]) => a.fragments.get(k) === f).length;
  assert.equal(reused, b.fragments.size - 2, 'only web and lb regenerated');
  const plain = (r: typeof a) => ({ chains: new Map(r.chains), sets: new Map(r.sets) });
  const fast = incrementalScript(a, b)!.trim().split('\n').sort();
  const generic = incrementalScript(plain(a), plain(b))!.trim().split('\n').sort();
  assert.deepEqual(fast, generic);
});

test('incremental generation (changed ports only) gives the same ruleset as generating from scratch', () => {
  const t = tracked();
  let inc = generateRuleset(t.checkout().state, FACTS);
  const steps: (() => void)[] = [
    () => t.sliceChanged(slice('web', [{ name: 'http', port: 8080 }], [{ ip: '10.244.0.5' }, { ip: '10.244.2.1' }]), false),
    () => t.serviceChanged('default/sticky', undefined),
    () => t.sliceChanged(slice('lb', [{ port: 8443 }], []), false),
    () => t.serviceChanged('default/late', svc('late', { clusterIP: '10.96.0.99', clusterIPs: ['10.96.0.99'], ports: [{ name: 'http', port: 80 }] })),
    () => t.sliceChanged(slice('late', [{ name: 'http', port: 8080 }], [{ ip: '10.244.0.5' }]), false),
    // Same base suffix as "default/web:http"? No — but a new port of an existing Service is.
    () => t.serviceChanged('default/late', svc('late', { clusterIP: '10.96.0.99', clusterIPs: ['10.96.0.99'], ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] })),
  ];
  for (const step of steps) {
    step();
    const state = t.checkout().state;
    const next = generateRuleset(state, FACTS, inc);
    // Same lines; a chain added incrementally comes last instead of in sorted order.
    assert.deepEqual(fullScript(next).split("\n").sort(), fullScript(generateRuleset(state, FACTS)).split("\n").sort());
    const plain = (r: typeof inc) => ({ chains: new Map(r.chains), sets: new Map(r.sets) });
    assert.deepEqual(incrementalScript(inc, next)!.trim().split('\n').sort(), incrementalScript(plain(inc), plain(next))!.trim().split('\n').sort());
    assert.deepEqual(next.fragmentTotals, generateRuleset(state, FACTS).fragmentTotals);
    inc = next;
  }
});
