import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dnsConfigFromFlags } from './dns-flags.js';

test('dns flags: defaults, addresses with and without ports, errors naming the flag', () => {
  assert.deepEqual(dnsConfigFromFlags({}), { clusterDomain: 'cluster.local', listen: { host: '127.0.0.1', port: 0 }, upstreams: undefined });
  const c = dnsConfigFromFlags({ 'cluster-domain': 'Corp.Example.', 'dns-listen': '[::1]:1053', 'dns-upstream': '127.0.0.53, 192.0.2.1:5353,[fd00::1]:53,fd00::2' });
  assert.equal(c.clusterDomain, 'corp.example');
  assert.deepEqual(c.listen, { host: '::1', port: 1053 });
  assert.deepEqual(c.upstreams, [
    { host: '127.0.0.53', port: 53 },
    { host: '192.0.2.1', port: 5353 },
    { host: 'fd00::1', port: 53 },
    { host: 'fd00::2', port: 53 },
  ]);
  assert.deepEqual(dnsConfigFromFlags({ 'dns-upstream': '' }).upstreams, []);
  assert.throws(() => dnsConfigFromFlags({ 'cluster-domain': 'bad_domain' }), /invalid --cluster-domain "bad_domain"/);
  assert.throws(() => dnsConfigFromFlags({ 'dns-listen': '127.0.0.1' }), /invalid --dns-listen "127.0.0.1"/);
  assert.throws(() => dnsConfigFromFlags({ 'dns-upstream': 'resolver.example' }), /invalid --dns-upstream entry "resolver.example"/);
});
