// The service-lb-controller on a real API server (memory store, in-process client): LoadBalancer
// Services get ingress addresses from the pool, give them back, and say why when they cannot.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Event, Service } from 'kubernetes-types/core/v1.js';
import { EVENTS, SERVICES } from '../../src/client/kinds.js';
import { startControllers } from '../../src/controllers/index.js';
import { silentLogger } from '../../src/util/log.js';
import { startControllerCluster, waitFor, type ControllerCluster } from './endpoints-harness.js';

let c: ControllerCluster;
before(async () => {
  c = await startControllerCluster({ controllers: { loadBalancerCIDRs: ['10.250.0.0/30'] } });
});
after(async () => {
  await c?.close();
});

const svc = (name: string, spec: Service['spec'] = {}): Service => ({
  metadata: { name },
  spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 80 }], ...spec },
});

const services = () => c.client.resource(SERVICES);
const ingress = async (name: string) => (await services().get('default', name)).status?.loadBalancer?.ingress;

async function reasons(name: string): Promise<string[]> {
  const list = await c.client.resource(EVENTS).list({ namespace: 'default' });
  return (list.items as Event[]).filter((e) => e.involvedObject.name === name && /LoadBalancer/.test(e.reason ?? '')).map((e) => e.reason ?? '');
}

test('a LoadBalancer Service gets the first pool address, with the cloud controller events', async () => {
  await services().create('default', svc('one'));
  const got = await waitFor('ingress of one', async () => (await ingress('one'))?.[0]);
  assert.deepEqual(got, { ip: '10.250.0.1', ipMode: 'VIP' });
  const seen = await waitFor('events', async () => {
    const r = await reasons('one');
    return r.includes('EnsuredLoadBalancer') && r;
  });
  assert.ok(seen.includes('EnsuringLoadBalancer'));
});

test('a requested loadBalancerIP is honoured when free and in the pool, refused with a reason otherwise', async () => {
  await services().create('default', svc('two', { loadBalancerIP: '10.250.0.2' }));
  assert.equal((await waitFor('ingress of two', async () => (await ingress('two'))?.[0]))?.ip, '10.250.0.2');
  await services().create('default', svc('elsewhere', { loadBalancerIP: '192.0.2.7' }));
  const ev = await waitFor('failure event', async () => {
    const list = await c.client.resource(EVENTS).list({ namespace: 'default' });
    return (list.items as Event[]).find((e) => e.involvedObject.name === 'elsewhere' && e.reason === 'SyncLoadBalancerFailed');
  });
  assert.equal(ev.type, 'Warning');
  assert.match(ev.message ?? '', /^Error syncing load balancer: failed to ensure load balancer: requested loadBalancerIP 192\.0\.2\.7 is not in the load balancer pool 10\.250\.0\.0\/30$/);
  assert.equal(await ingress('elsewhere'), undefined);
  await services().delete('default', 'elsewhere');
});

test('a full pool says so; the waiting Service gets the address freed by a type change, at once', async () => {
  await services().create('default', svc('three'));
  await waitFor('pool-full event', async () => (await reasons('three')).includes('SyncLoadBalancerFailed'));
  assert.equal(await ingress('three'), undefined);

  const one = await services().get('default', 'one');
  await services().update('default', { ...one, spec: { ...one.spec, type: 'ClusterIP', externalTrafficPolicy: undefined, allocateLoadBalancerNodePorts: undefined, ports: [{ port: 80 }] } });
  await waitFor('one cleared', async () => (await ingress('one')) === undefined);
  assert.ok((await waitFor('deleted events', async () => {
    const r = await reasons('one');
    return r.includes('DeletedLoadBalancer') && r;
  })).includes('DeletingLoadBalancer'));
  const started = Date.now();
  assert.equal((await waitFor('three gets the freed address', async () => (await ingress('three'))?.[0]))?.ip, '10.250.0.1');
  assert.ok(Date.now() - started < 10_000, 'not the 30 s retry');
});

test('a Service with a loadBalancerClass belongs to another implementation and is left alone', async () => {
  await services().create('default', svc('classy', { loadBalancerClass: 'example.com/lb' }));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await ingress('classy'), undefined);
  assert.deepEqual(await reasons('classy'), []);
});

test('a restarted controller keeps the addresses already handed out', async () => {
  await services().delete('default', 'three');
  await waitFor('three gone', async () => !(await services().list({ namespace: 'default' })).items.some((s) => s.metadata?.name === 'three'));
  await c.controllers.stop();
  // While it is down, "two" stays at .2; a new Service must not be given .2 by the restarted controller.
  await services().create('default', svc('four'));
  c.controllers = startControllers({ client: c.client, logger: silentLogger, loadBalancerCIDRs: ['10.250.0.0/30'] });
  await c.controllers.ready;
  assert.equal((await waitFor('ingress of four', async () => (await ingress('four'))?.[0]))?.ip, '10.250.0.1');
  assert.equal((await ingress('two'))?.[0]?.ip, '10.250.0.2');
});
