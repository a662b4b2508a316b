// Service and EndpointSlice → the proxy's model; conntrack delete arguments; config validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeTracker } from './change-tracker.js';
import { resolveProxyConfig } from './config.js';
import { conntrackDeletes } from './conntrack.js';
import { endpointsByPort } from './endpoints-info.js';
import { servicePorts } from './service-info.js';
import { slice, svc } from './testdata/fixtures.js';
import { createClient, inProcessTransport } from '../client/index.js';

test('ExternalName, headless and IPv6-only Services have no ports to proxy', () => {
  assert.deepEqual(servicePorts(svc('a', { type: 'ExternalName', externalName: 'x.example' })), []);
  assert.deepEqual(servicePorts(svc('b', { clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 80 }] })), []);
  assert.deepEqual(servicePorts(svc('c', { clusterIP: 'fd00::1', clusterIPs: ['fd00::1'], ports: [{ port: 80 }] })), []);
});

test('service ports: defaults, NodePort only for NodePort/LoadBalancer, LB IPs from status, affinity default 10800 s', () => {
  const [p] = servicePorts(
    svc(
      'lb',
      {
        type: 'LoadBalancer',
        clusterIP: '10.96.0.5',
        clusterIPs: ['10.96.0.5', 'fd00::5'],
        sessionAffinity: 'ClientIP',
        externalTrafficPolicy: 'Local',
        loadBalancerSourceRanges: [' 10.0.0.0/8 '],
        ports: [{ port: 80, nodePort: 30001 }],
      },
      { loadBalancer: { ingress: [{ ip: '192.0.2.1' }, { hostname: 'lb.example' }] } },
    ),
  );
  assert.deepEqual(
    { ...p },
    {
      id: 'default/lb:',
      namespace: 'default',
      name: 'lb',
      portName: '',
      protocol: 'TCP',
      port: 80,
      clusterIPs: ['10.96.0.5'],
      nodePort: 30001,
      externalIPs: [],
      loadBalancerIPs: ['192.0.2.1'],
      sourceRanges: ['10.0.0.0/8'],
      affinityTimeoutSeconds: 10800,
      internalTrafficLocal: false,
      externalTrafficLocal: true,
      healthCheckNodePort: undefined,
    },
  );
  const [c] = servicePorts(svc('c', { type: 'ClusterIP', clusterIP: '10.96.0.6', ports: [{ port: 80, nodePort: 30002 }] }));
  assert.equal(c.nodePort, undefined);
});

test('endpoints: merged across slices by port name and protocol, unknown conditions count as ready, duplicates keep the ready copy', () => {
  const a = slice('web', [{ name: 'http', port: 8080 }], [{ ip: '10.244.0.2' }, { ip: '10.244.0.1', ready: false }], 'web-a');
  const b = slice('web', [{ name: 'http', port: 8080 }, { name: 'dns', port: 53, protocol: 'UDP' }], [{ ip: '10.244.0.1' }], 'web-b');
  delete b.endpoints[0].conditions;
  const eps = endpointsByPort('default', 'web', [a, b]);
  assert.deepEqual(
    eps.get('default/web:http/TCP')!.map((e) => [e.ip, e.ready, e.serving, e.terminating]),
    [
      ['10.244.0.1', true, true, false],
      ['10.244.0.2', true, true, false],
    ],
  );
  assert.deepEqual(eps.get('default/web:dns/UDP')!.map((e) => e.ip), ['10.244.0.1']);
  assert.deepEqual(endpointsByPort('default', 'web', [{ ...a, addressType: 'IPv6' }]).size, 0);
});

test('change tracker: only changed Services are recomputed; unchanged ones keep their state object', () => {
  const t = new ChangeTracker(() => 7);
  t.serviceChanged('default/a', svc('a', { clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ port: 80 }] }));
  t.serviceChanged('default/b', svc('b', { clusterIP: '10.96.0.2', clusterIPs: ['10.96.0.2'], ports: [{ port: 80 }] }));
  const first = t.checkout();
  assert.equal(t.pending(), false);
  t.sliceChanged(slice('b', [{ port: 8080 }], [{ ip: '10.244.0.9' }]), false);
  t.sliceChanged({ ...slice('x', [], []), metadata: { namespace: 'default', name: 'orphan' } }, false);
  const second = t.checkout();
  assert.deepEqual([...second.changed], ['default/b']);
  assert.equal(second.state[0], first.state[0], 'a is the same object');
  assert.notEqual(second.state[1], first.state[1]);
  assert.deepEqual(second.endpointChangeTimes, [7]);
});

test('stale UDP: endpoints that left and Services that gained their first endpoint become conntrack deletes', () => {
  const t = new ChangeTracker(() => 0);
  const dns = svc('dns', { type: 'NodePort', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 53, protocol: 'UDP', nodePort: 30053 }] });
  t.serviceChanged('default/dns', dns);
  t.checkout();
  t.sliceChanged(slice('dns', [{ port: 5353, protocol: 'UDP' }], [{ ip: '10.244.0.5' }, { ip: '10.244.0.6' }]), false);
  const first = t.checkout().staleUDP;
  assert.deepEqual(conntrackDeletes(first), [
    ['-D', '-p', 'udp', '--orig-dst', '10.96.0.10', '--orig-port-dst', '53'],
    ['-D', '-p', 'udp', '--orig-port-dst', '30053'],
  ]);
  t.sliceChanged(slice('dns', [{ port: 5353, protocol: 'UDP' }], [{ ip: '10.244.0.6' }, { ip: '10.244.0.5', ready: false }]), false);
  assert.deepEqual(conntrackDeletes(t.checkout().staleUDP), [
    ['-D', '-p', 'udp', '--orig-dst', '10.96.0.10', '--orig-port-dst', '53', '--dst-nat', '10.244.0.5'],
    ['-D', '-p', 'udp', '--orig-port-dst', '30053', '--dst-nat', '10.244.0.5'],
  ]);
});

test('config: required fields, CIDR checks, modes', () => {
  const client = createClient(inProcessTransport({} as never));
  assert.throws(() => resolveProxyConfig({ nodeName: 'n' }), /a client or an informer factory is required/);
  assert.throws(() => resolveProxyConfig({ client, nodeName: '' }), /nodeName is required/);
  assert.throws(() => resolveProxyConfig({ client, nodeName: 'n', serviceCIDRs: ['10.96.0.0/33'] }), /not an IPv4 CIDR/);
  assert.equal(resolveProxyConfig({ client, nodeName: 'n', mode: 'userspace' }).udpIdleTimeoutMs, 250);
  assert.throws(() => resolveProxyConfig({ client, nodeName: 'n', mode: 'ipvs' as never }), /unknown mode "ipvs"/);
  assert.throws(() => resolveProxyConfig({ client, nodeName: 'n', minSyncIntervalMs: -1 }), /non-negative/);
  const c = resolveProxyConfig({ client, nodeName: 'n' });
  assert.equal(c.mode, 'nftables');
  assert.deepEqual(c.serviceCIDRs, ['10.96.0.0/12']);
  assert.equal(c.podCIDR, '10.244.0.0/16');
  assert.equal(resolveProxyConfig({ client, nodeName: 'n', mode: 'iptables' }).mode, 'iptables');
});
