import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseResolvConf, podHostname, podResolvConf } from './pod-dns.js';

const cluster = { nameservers: ['10.96.0.10'], clusterDomain: 'cluster.local' };
const host = parseResolvConf('# generated\nnameserver 192.0.2.1\nnameserver 192.0.2.2\nsearch example.com\noptions edns0\n');
const pod = (spec: Partial<Pod['spec']> = {}): Pod => ({ metadata: { name: 'p', namespace: 'ns1' }, spec: { containers: [], ...spec } });

test('ClusterFirst: cluster nameserver, namespace search path plus the host search, ndots:5', () => {
  assert.equal(podResolvConf(pod(), cluster, host), 'search ns1.svc.cluster.local svc.cluster.local cluster.local example.com\nnameserver 10.96.0.10\noptions ndots:5\n');
});

test('Default and hostNetwork ClusterFirst use the host resolv.conf; ClusterFirstWithHostNet keeps the cluster DNS', () => {
  const hostConf = 'search example.com\nnameserver 192.0.2.1\nnameserver 192.0.2.2\noptions edns0\n';
  assert.equal(podResolvConf(pod({ dnsPolicy: 'Default' }), cluster, host), hostConf);
  assert.equal(podResolvConf(pod({ hostNetwork: true }), cluster, host), hostConf);
  assert.match(podResolvConf(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), cluster, host), /nameserver 10\.96\.0\.10\n/);
});

test('None takes only dnsConfig; dnsConfig merges (dedup, options replaced by name)', () => {
  const dnsConfig = { nameservers: ['1.1.1.1'], searches: ['a.example'], options: [{ name: 'ndots', value: '2' }, { name: 'rotate' }] };
  assert.equal(podResolvConf(pod({ dnsPolicy: 'None', dnsConfig }), cluster, host), 'search a.example\nnameserver 1.1.1.1\noptions ndots:2 rotate\n');
  assert.equal(
    podResolvConf(pod({ dnsConfig: { ...dnsConfig, searches: ['cluster.local', 'b.example'] } }), cluster, host),
    'search ns1.svc.cluster.local svc.cluster.local cluster.local example.com b.example\nnameserver 10.96.0.10\nnameserver 1.1.1.1\noptions ndots:2 rotate\n',
  );
});

test('hostname from spec.hostname or the name, at most 63 characters', () => {
  assert.equal(podHostname(pod({ hostname: 'h1' })), 'h1');
  assert.equal(podHostname({ metadata: { name: 'a'.repeat(62) + '-b' } }), 'a'.repeat(62));
});
