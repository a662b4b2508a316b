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

test('a new endpoint touches only its Service: its chain refilled and one hairpin element, no new chain', () => {
  const t = tracked();
  const before = generateRuleset(t.checkout().state, FACTS);
  t.sliceChanged(slice('web', [{ name: 'http', port: 8080 }], [{ ip: '10.244.0.5' }, { ip: '10.244.0.6' }, { ip: '10.244.1.7' }, { ip: '10.244.0.40' }]), false);
  const after = generateRuleset(t.checkout().state, FACTS);
  const script = incrementalScript(before, after)!;
  const lines = script.trim().split('\n');
  assert.deepEqual(
    lines.filter((l) => !l.startsWith('add rule')),
    ['flush chain ip kubesvc svc-default-web-http', 'add element ip kubesvc hairpin-endpoints { 10.244.0.40 . 10.244.0.40 }'],
  );
  assert.ok(lines.filter((l) => l.startsWith('add rule')).every((l) => l.startsWith('add rule ip kubesvc svc-default-web-http ')), script);
  // The cascade: mod 4, 3, 2, then the last endpoint unconditionally.
  assert.deepEqual(
    lines.filter((l) => l.includes('dnat')).map((l) => /numgen random mod (\d+)/.exec(l)?.[1] ?? '-'),
    ['4', '3', '2', '-'],
  );
});

test('the last endpoint going away: the service chain empties, its map entry flips to reject, its hairpin element goes', () => {
  const t = tracked();
  const before = generateRuleset(t.checkout().state, FACTS);
  t.sliceChanged(slice('lb', [{ port: 8443 }], []), false);
  const after = generateRuleset(t.checkout().state, FACTS);
  const lines = incrementalScript(before, after)!.trim().split('\n');
  const i = (s: string) => lines.findIndex((l) => l.startsWith(s));
  assert.ok(i('flush chain ip kubesvc svc-default-lb-443') >= 0);
  assert.ok(lines.includes('add element ip kubesvc no-endpoint-services { 10.96.0.50 . tcp . 443 comment "default/lb" : goto reject-chain }'), lines.join('\n'));
  assert.ok(lines.includes('add element ip kubesvc no-endpoint-nodeports { tcp . 30443 comment "default/lb" : goto reject-chain }'));
  assert.ok(lines.includes('delete element ip kubesvc hairpin-endpoints { 10.244.1.10 . 10.244.1.10 }'));
  assert.equal(lines.filter((l) => l.startsWith('add rule')).length, 1, 'only the off-pod-CIDR masquerade rule is left');
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
  const flush = lines.indexOf('flush chain ip kubesvc svc-default-web-http');
  const del = lines.indexOf('delete chain ip kubesvc svc-default-web-http');
  assert.ok(flush >= 0 && del > flush, 'a removed chain is emptied before it is deleted');
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
