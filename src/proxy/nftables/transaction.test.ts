// Incremental nft scripts: only what changed is touched, in an order the kernel accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeTracker } from '../change-tracker.js';
import { cluster, FACTS, slice } from '../testdata/fixtures.js';
import { generateRuleset } from './ruleset.js';
import { fullScript, incrementalScript } from './transaction.js';

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

test('a new endpoint touches only its Service: one new chain, the flushed service chain, no map edits', () => {
  const t = tracked();
  const before = generateRuleset(t.checkout().state, FACTS);
  t.sliceChanged(slice('web', [{ name: 'http', port: 8080 }], [{ ip: '10.244.0.5' }, { ip: '10.244.0.6' }, { ip: '10.244.1.7' }, { ip: '10.244.0.40' }]), false);
  const after = generateRuleset(t.checkout().state, FACTS);
  const script = incrementalScript(before, after)!;
  const lines = script.trim().split('\n');
  assert.deepEqual(
    lines.filter((l) => !l.startsWith('add rule')),
    ['add chain ip kubesvc ep-default-web-http-10.244.0.40-8080', 'flush chain ip kubesvc svc-default-web-http'],
  );
  assert.ok(lines.every((l) => /web-http/.test(l)), script);
  // The new endpoint chain exists before the service chain's numgen refers to it.
  assert.ok(lines.indexOf('add chain ip kubesvc ep-default-web-http-10.244.0.40-8080') < lines.findIndex((l) => l.includes('numgen')));
});

test('the last endpoint going away: the service chain empties, its map entry flips to reject, the endpoint chains go last', () => {
  const t = tracked();
  const before = generateRuleset(t.checkout().state, FACTS);
  t.sliceChanged(slice('lb', [{ port: 8443 }], []), false);
  const after = generateRuleset(t.checkout().state, FACTS);
  const lines = incrementalScript(before, after)!.trim().split('\n');
  const i = (s: string) => lines.findIndex((l) => l.startsWith(s));
  assert.ok(i('flush chain ip kubesvc svc-default-lb-443') >= 0);
  assert.ok(lines.includes('add element ip kubesvc no-endpoint-services { 10.96.0.50 . tcp . 443 comment "default/lb" : goto reject-chain }'), lines.join('\n'));
  assert.ok(lines.includes('add element ip kubesvc no-endpoint-nodeports { tcp . 30443 comment "default/lb" : goto reject-chain }'));
  const del = i('delete chain ip kubesvc ep-default-lb-443-10.244.1.10-8443');
  assert.ok(del > i('flush chain ip kubesvc svc-default-lb-443'));
  assert.ok(del > i('flush chain ip kubesvc ep-default-lb-443-10.244.1.10-8443'));
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
