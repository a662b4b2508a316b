import { hostname } from 'node:os';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration, parseListen, parsePortRange, parseServiceCIDR, upConfigFromFlags } from './up-config.js';
import { UsageError } from './usage-error.js';

test('defaults: ./.kubesvc, 127.0.0.1:6443, embedded store in <data-dir>/store, Kubernetes ranges', () => {
  const c = upConfigFromFlags({}, '/home/u/proj');
  assert.deepEqual(c, {
    dataDir: '/home/u/proj/.kubesvc',
    listen: { host: '127.0.0.1', port: 6443 },
    store: { backend: 'embedded', dir: '/home/u/proj/.kubesvc/store' },
    registry: { serviceCIDR: '10.96.0.0/12', nodePortRange: { base: 30000, size: 2768 } },
    logLevel: 'info',
    compactionIntervalMs: 300_000,
    controllers: ['*'],
    loadBalancerCIDRs: ['10.250.0.0/24'],
    node: { agent: false, isolated: false, name: hostname().toLowerCase(), podCIDR: undefined },
    dns: { clusterDomain: 'cluster.local', listen: { host: '127.0.0.1', port: 0 }, upstreams: undefined },
    proxy: { mode: 'none', netns: undefined, nodeName: hostname().toLowerCase() },
  });
});

test('--controllers as kube-controller-manager takes it', () => {
  assert.deepEqual(upConfigFromFlags({ controllers: '*,-scheduler' }, '/x').controllers, ['*', '-scheduler']);
  assert.deepEqual(upConfigFromFlags({ controllers: 'endpoint-controller, endpointslice-controller' }, '/x').controllers, ['endpoint-controller', 'endpointslice-controller']);
  assert.deepEqual(upConfigFromFlags({ controllers: '' }, '/x').controllers, []);
  assert.throws(() => upConfigFromFlags({ controllers: 'endpoints' }, '/x'), /unknown controller "endpoints" \(known: endpoint-controller,/);
});

test('--load-balancer-cidr: a comma list of IPv4 CIDRs, checked as the pool uses them', () => {
  assert.deepEqual(upConfigFromFlags({ 'load-balancer-cidr': '192.168.50.0/28, 10.251.0.0/24' }, '/x').loadBalancerCIDRs, ['192.168.50.0/28', '10.251.0.0/24']);
  assert.throws(() => upConfigFromFlags({ 'load-balancer-cidr': '10.250.0.5/24' }, '/x'), /invalid --load-balancer-cidr "10\.250\.0\.5\/24": .*did you mean 10\.250\.0\.0\/24\?/);
  assert.throws(() => upConfigFromFlags({ 'load-balancer-cidr': '' }, '/x'), /invalid --load-balancer-cidr "": the load balancer pool needs at least one CIDR/);
});

test('every flag lands in its typed field', () => {
  const c = upConfigFromFlags(
    {
      'data-dir': 'state',
      listen: '[::1]:7443',
      'service-cidr': '10.0.0.0/24',
      'service-node-port-range': '31000-31999',
      store: 'etcd',
      'etcd-endpoints': 'http://127.0.0.1:2379, https://127.0.0.2:2379',
      'log-level': 'debug',
      'etcd-compaction-interval': '1m30s',
    },
    '/x',
  );
  assert.equal(c.dataDir, '/x/state');
  assert.deepEqual(c.listen, { host: '::1', port: 7443 });
  assert.deepEqual(c.store, { backend: 'etcd', endpoints: ['http://127.0.0.1:2379', 'https://127.0.0.2:2379'] });
  assert.deepEqual(c.registry, { serviceCIDR: '10.0.0.0/24', nodePortRange: { base: 31000, size: 1000 } });
  assert.equal(c.logLevel, 'debug');
  assert.equal(c.compactionIntervalMs, 90_000);
});

test('an absolute data dir is kept; memory store needs no dir', () => {
  const c = upConfigFromFlags({ 'data-dir': '/var/lib/kubesvc', store: 'memory' }, '/x');
  assert.equal(c.dataDir, '/var/lib/kubesvc');
  assert.deepEqual(c.store, { backend: 'memory' });
});

test('--listen forms', () => {
  assert.deepEqual(parseListen('localhost:8080'), { host: '127.0.0.1', port: 8080 });
  assert.deepEqual(parseListen('0.0.0.0:0'), { host: '0.0.0.0', port: 0 });
  for (const bad of ['6443', '127.0.0.1', '127.0.0.1:http', '127.0.0.1:70000', 'example.com:6443', '::1:6443', '[10.0.0.1]:1', '']) {
    assert.throws(() => parseListen(bad), UsageError, bad);
  }
});

test('--service-cidr: validated, IPv4 host bits masked, too large refused as kube-apiserver does', () => {
  assert.equal(parseServiceCIDR('10.96.0.0/12'), '10.96.0.0/12');
  assert.equal(parseServiceCIDR('10.96.5.1/16'), '10.96.0.0/16');
  assert.equal(parseServiceCIDR('FD00::/112'), 'fd00::/112');
  assert.throws(() => parseServiceCIDR('10.0.0.0/8'), /too large; for 32-bit addresses, the mask must be >= 12/);
  assert.throws(() => parseServiceCIDR('fd00::/64'), /for 128-bit addresses, the mask must be >= 108/);
  for (const bad of ['10.96.0.0', '10.96.0.0/33', '300.0.0.0/16', 'x/16', '10.0.0.0/12,fd00::/108', '10.0.0.0/32']) {
    assert.throws(() => parseServiceCIDR(bad), UsageError, bad);
  }
});

test('--service-node-port-range: MIN-MAX, BASE+OFFSET, single port; inclusive', () => {
  assert.deepEqual(parsePortRange('30000-32767'), { base: 30000, size: 2768 });
  assert.deepEqual(parsePortRange('30000+99'), { base: 30000, size: 100 });
  assert.deepEqual(parsePortRange('30080'), { base: 30080, size: 1 });
  for (const bad of ['32767-30000', '0-100', '30000-70000', 'a-b', '30000-', '']) {
    assert.throws(() => parsePortRange(bad), UsageError, bad);
  }
});

test('--store and --etcd-endpoints must agree', () => {
  assert.throws(() => upConfigFromFlags({ store: 'etcd' }, '/x'), /needs --etcd-endpoints/);
  assert.throws(() => upConfigFromFlags({ 'etcd-endpoints': 'http://127.0.0.1:2379' }, '/x'), /only valid with --store etcd/);
  assert.throws(() => upConfigFromFlags({ store: 'etcd', 'etcd-endpoints': 'ftp://h:1' }, '/x'), /scheme must be http or https/);
  assert.throws(() => upConfigFromFlags({ store: 'sqlite' }, '/x'), /must be one of embedded, memory, etcd/);
});

test('--log-level and --data-dir are checked', () => {
  assert.throws(() => upConfigFromFlags({ 'log-level': 'verbose' }, '/x'), /must be one of debug, info, warn, error/);
  assert.throws(() => upConfigFromFlags({ 'data-dir': ' ' }, '/x'), /--data-dir must not be empty/);
});

test('durations read like Go', () => {
  assert.equal(parseDuration('--f', '0'), 0);
  assert.equal(parseDuration('--f', '500ms'), 500);
  assert.equal(parseDuration('--f', '1h2m3s'), 3_723_000);
  assert.equal(parseDuration('--f', '1.5s'), 1500);
  for (const bad of ['', '5', '5x', 's', '1m 2s']) assert.throws(() => parseDuration('--f', bad), UsageError, bad);
});
