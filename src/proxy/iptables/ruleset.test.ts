// Golden test of the iptables layout, plus the kube-proxy facts users rely on: chain names hash
// the service port like kube-proxy's, and every rule names its Service in a comment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { ChangeTracker } from '../change-tracker.js';
import { cluster, FACTS, slice } from '../testdata/fixtures.js';
import { generateIptables, hash16, partialRestoreScript, restoreScript, sepChainName, svcChainName } from './ruleset.js';

const GOLDEN = new URL('../testdata/cluster.iptables', import.meta.url);

function state() {
  const t = new ChangeTracker(() => 0);
  const { services, slices } = cluster();
  for (const s of services) t.serviceChanged(`default/${s.metadata!.name}`, s);
  for (const s of slices) t.sliceChanged(s, false);
  return t.checkout().state;
}

const none = { nat: new Set<string>(), filter: new Set<string>() };

test('the iptables-restore script matches the golden file', () => {
  const got = restoreScript(generateIptables(state(), FACTS), none);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, got);
  assert.equal(got, readFileSync(GOLDEN, 'utf8'));
});

test('chain names use kube-proxy\'s hash (base32 of SHA-256 of "ns/name:port" + protocol)', () => {
  // Known values from kube-proxy's own tests for ns1/svc1:p80 and endpoint 10.180.0.1:80.
  assert.equal(hash16('ns1/svc1:p80tcp'), 'XPGD46QRK7WJZT7O');
  assert.equal(hash16('ns1/svc1:p80tcp10.180.0.1:80'), 'SXIVWICOYRO3J4NJ');
  const web = state().find((s) => s.svc.name === 'web')!;
  assert.match(svcChainName(web), /^KUBE-SVC-[A-Z2-7]{16}$/);
  assert.match(sepChainName(web, web.endpoints[0]), /^KUBE-SEP-[A-Z2-7]{16}$/);
});

test('KUBE-SERVICES names each Service in a comment; probabilities split evenly; no-endpoint Services are rejected in filter', () => {
  const rs = generateIptables(state(), FACTS);
  const nat = rs.tables.nat.get('KUBE-SERVICES')!;
  for (const name of ['default/web:http cluster IP', 'default/np cluster IP', 'default/sticky cluster IP', 'default/lb loadbalancer IP', 'default/lb external IP']) {
    assert.ok(nat.some((r) => r.includes(`--comment "${name}"`)), name);
  }
  assert.match(nat.at(-1)!, /this must be the last rule in this chain.*--dst-type LOCAL -j KUBE-NODEPORTS$/);
  const web = state().find((s) => s.svc.name === 'web')!;
  const svc = rs.tables.nat.get(svcChainName(web))!;
  assert.deepEqual(
    svc.map((r) => /--probability (\S+)/.exec(r)?.[1] ?? (r.includes('KUBE-MARK-MASQ') ? 'masq' : 'last')),
    ['masq', '0.33333333333', '0.50000000000', 'last'],
  );
  const filter = rs.tables.filter.get('KUBE-SERVICES')!;
  assert.ok(filter.some((r) => r.startsWith('-m comment --comment "default/dns:dns has no endpoints" -m udp -p udp -d 10.96.0.10/32 --dport 53 -j REJECT')));
  assert.ok(filter.some((r) => r.includes('"default/local-only has no local endpoints"') && r.endsWith('-j DROP')));
});

test('stale chains of ours are deleted, others are left alone', () => {
  const script = restoreScript(generateIptables([], FACTS), {
    nat: new Set(['KUBE-SVC-AAAAAAAAAAAAAAAA', 'DOCKER', 'KUBE-SERVICES']),
    filter: new Set(['KUBE-SOMETHING-ELSE']),
  });
  assert.match(script, /^-X KUBE-SVC-AAAAAAAAAAAAAAAA$/m);
  assert.doesNotMatch(script, /DOCKER|KUBE-SOMETHING-ELSE/);
  assert.doesNotMatch(script, /-X KUBE-SERVICES/);
});

test('a partial restore names only the chains an endpoint change touched', () => {
  const t = new ChangeTracker(() => 0);
  const { services, slices } = cluster();
  for (const s of services) t.serviceChanged(`default/${s.metadata!.name}`, s);
  for (const s of slices) t.sliceChanged(s, false);
  const before = generateIptables(t.checkout().state, FACTS);
  assert.equal(partialRestoreScript(before, generateIptables(t.checkout().state, FACTS)), '', 'no change, no restore');
  // web: 10.244.1.7 replaced by 10.244.1.70.
  t.sliceChanged(slice('web', [{ name: 'http', port: 8080 }], ['10.244.0.5', '10.244.0.6', '10.244.1.70'].map((ip) => ({ ip }))), false);
  const st = t.checkout().state;
  const after = generateIptables(st, FACTS);
  const web = st.find((s) => s.svc.name === 'web')!;
  const script = partialRestoreScript(before, after);
  const oldSep = sepChainName(web, { ip: '10.244.1.7', port: 8080, ready: true, serving: true, terminating: false });
  const newSep = sepChainName(web, web.endpoints.find((e) => e.ip === '10.244.1.70')!);
  assert.deepEqual(
    script.split('\n').filter((l) => l.startsWith(':') || l.startsWith('*') || l.startsWith('-X')),
    ['*nat', `:${newSep} - [0:0]`, `:${svcChainName(web)} - [0:0]`, `:${oldSep} - [0:0]`, `-X ${oldSep}`],
  );
  assert.ok(!script.includes('KUBE-SERVICES'), 'the dispatch chain is untouched');
  assert.ok(!script.includes('*filter'), 'a table without changes is left out');
  assert.match(script, new RegExp(`^-A ${newSep} .* -j DNAT --to-destination 10\\.244\\.1\\.70:8080$`, 'm'));
  // Applying it to what the kernel held gives what a full restore would write.
  const kernel = new Map([...before.tables.nat].map(([c, r]) => [c, [...r]]));
  for (const l of script.split('\n')) {
    if (l.startsWith(':')) kernel.set(l.slice(1).split(' ')[0], []);
    else if (l.startsWith('-A ')) kernel.get(l.split(' ')[1])!.push(l.slice(4 + l.split(' ')[1].length));
    else if (l.startsWith('-X ')) kernel.delete(l.slice(3));
  }
  assert.deepEqual(new Map([...kernel].sort()), new Map([...after.tables.nat].sort()));
});

test('a Service losing its last endpoint: its rules move to the filter table, its chains go', () => {
  const t = new ChangeTracker(() => 0);
  const { services, slices } = cluster();
  for (const s of services) t.serviceChanged(`default/${s.metadata!.name}`, s);
  for (const s of slices) t.sliceChanged(s, false);
  const before = generateIptables(t.checkout().state, FACTS);
  t.sliceChanged(slice('web', [{ name: 'http', port: 8080 }], []), false);
  const st = t.checkout().state;
  const script = partialRestoreScript(before, generateIptables(st, FACTS));
  const web = st.find((s) => s.svc.name === 'web')!;
  assert.match(script, /^\*filter\n:KUBE-SERVICES - \[0:0\]\n/);
  assert.match(script, /"default\/web:http has no endpoints" .* -j REJECT/);
  assert.match(script, new RegExp(`^-X ${svcChainName(web)}$`, 'm'));
  // The flushes (declarations) come before any -X in the table.
  const nat = script.slice(script.indexOf('*nat'));
  assert.ok(nat.lastIndexOf('\n:') < nat.indexOf('\n-X'));
});
