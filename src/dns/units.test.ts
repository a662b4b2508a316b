// Small pure pieces: reverse names, the kube-dns address, resolv.conf parsing, the forwarding cache.
import { test } from 'node:test';
import type { Answer } from 'dns-packet';
import assert from 'node:assert/strict';
import { reverseToIP } from './answer.js';
import { normalizeZone, upstreamsFromResolvConf } from './config.js';
import { ForwardCache } from './forward-cache.js';
import { kubeDnsClusterIP } from './presence.js';
import { endpointLabel } from './zone-index.js';

function ttlOf(a: Answer | undefined): number | undefined {
  return a && a.type !== 'OPT' ? a.ttl : undefined;
}

test('reverse names to addresses (only complete ones)', () => {
  assert.equal(reverseToIP('10.0.96.10.in-addr.arpa'), '10.96.0.10');
  assert.equal(reverseToIP('0.96.10.in-addr.arpa'), undefined);
  assert.equal(reverseToIP('010.0.96.10.in-addr.arpa'), undefined);
  const v6 = '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa';
  assert.equal(reverseToIP(v6), 'fd00::1');
});

test('kube-dns takes the tenth address of the service CIDR', () => {
  assert.equal(kubeDnsClusterIP('10.96.0.0/12'), '10.96.0.10');
  assert.equal(kubeDnsClusterIP('10.100.5.7/16'), '10.100.0.10');
  assert.throws(() => kubeDnsClusterIP('fd00::/108'));
  assert.throws(() => kubeDnsClusterIP('10.0.0.0/30'));
});

test('endpoint labels: hostname, else the address with dashes (CoreDNS)', () => {
  assert.equal(endpointLabel('10.1.2.3', 'mysql-0'), 'mysql-0');
  assert.equal(endpointLabel('10.1.2.3', undefined), '10-1-2-3');
  assert.equal(endpointLabel('fd00::1', undefined), 'fd00--1');
});

test('zone and resolv.conf', () => {
  assert.equal(normalizeZone('Cluster.Local.'), 'cluster.local');
  assert.throws(() => normalizeZone('bad_zone'));
  assert.deepEqual(upstreamsFromResolvConf('# x\nnameserver 192.0.2.53\nsearch a\nnameserver fd00::53\nnameserver bogus\n'), [
    { host: '192.0.2.53', port: 53 },
    { host: 'fd00::53', port: 53 },
  ]);
});

test('forwarding cache: TTL from the answer (aged on read), SOA minimum for negatives, caps, bounded size', () => {
  let now = 0;
  const c = new ForwardCache({ maxEntries: 2, maxTtl: 100, maxNegativeTtl: 10, now: () => now });
  c.put('a', { rcode: 'NOERROR', answers: [{ type: 'A', name: 'a', ttl: 30, data: '192.0.2.1' }], authorities: [], additionals: [] });
  now = 12_000;
  assert.equal(ttlOf(c.get('a')?.answers[0]), 18);
  now = 30_000;
  assert.equal(c.get('a'), undefined);
  const soa = { type: 'SOA' as const, name: 'x', ttl: 60, data: { mname: 'm', rname: 'r', minimum: 60 } };
  c.put('nx', { rcode: 'NXDOMAIN', answers: [], authorities: [soa], additionals: [] });
  now = 39_000;
  assert.ok(c.get('nx'), 'negative TTL capped at 10 s: still there after 9 s');
  now = 41_000;
  assert.equal(c.get('nx'), undefined);
  c.put('sf', { rcode: 'SERVFAIL', answers: [], authorities: [], additionals: [] });
  assert.equal(c.get('sf'), undefined, 'failures are not cached');
  for (const k of ['x', 'y', 'z']) c.put(k, { rcode: 'NOERROR', answers: [{ type: 'A', name: k, ttl: 1000, data: '192.0.2.1' }], authorities: [], additionals: [] });
  assert.equal(c.size, 2);
  assert.equal(c.get('x'), undefined, 'oldest evicted');
  assert.equal(ttlOf(c.get('z')?.answers[0]), 100, 'TTL capped');
});
