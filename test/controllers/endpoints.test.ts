// Endpoints and EndpointSlices following pods, against a real API server on the memory store with
// the controller manager running: every change the seeds describe, with pods made Ready (or not)
// through the status subresource.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Endpoints, Event, Service } from 'kubernetes-types/core/v1.js';
import { ENDPOINTS, EVENTS, PODS, SERVICES } from '../../src/client/kinds.js';
import { makePod, readyIPs, setReady, slicesOf, startControllerCluster, waitFor, type ControllerCluster } from './endpoints-harness.js';

const NS = 'default';

describe('endpoints and endpointslice controllers', () => {
  let c: ControllerCluster;
  before(async () => {
    c = await startControllerCluster({ nodes: { 'node-1': 'zone-a' } });
  });
  after(async () => {
    await c?.close();
  });

  const svcs = () => c.client.resource(SERVICES);
  const eps = (name: string) => c.client.resource(ENDPOINTS).get(NS, name);

  test('checkout label mismatch: empty, fixed by a patch of the selector, then populated', async () => {
    await makePod(c.client, NS, 'checkout-1', { labels: { app: 'checkout-service' }, ip: '10.244.0.11', ports: { http: 8080 } });
    await makePod(c.client, NS, 'checkout-2', { labels: { app: 'checkout-service' }, ip: '10.244.0.12', ports: { http: 8080 } });
    await svcs().create(NS, { metadata: { name: 'checkout' }, spec: { selector: { app: 'checkout' }, ports: [{ port: 80, targetPort: 8080 }] } });
    // The Endpoints exist but list nothing; one placeholder slice with no endpoints and no ports.
    const empty = await waitFor('empty Endpoints', async () => (await eps('checkout').catch(() => undefined)) as Endpoints | undefined);
    assert.equal(empty.subsets, undefined);
    const placeholder = await waitFor('placeholder slice', async () => {
      const s = await slicesOf(c.client, NS, 'checkout');
      return s.length === 1 ? s : undefined;
    });
    assert.deepEqual(placeholder[0]?.endpoints ?? [], []);
    assert.deepEqual(placeholder[0]?.ports ?? [], []);
    assert.equal(placeholder[0]?.metadata?.generateName, 'checkout-');
    // The user learns why from an event on the Service.
    const warn = await waitFor('NoMatchingPods event', async () => {
      const evs = (await c.client.resource(EVENTS).list({ namespace: NS })).items;
      return evs.find((e: Event) => e.involvedObject.name === 'checkout' && e.reason === 'NoMatchingPods');
    });
    assert.equal(warn.type, 'Warning');
    assert.equal(warn.source?.component, 'endpointslice-controller');
    assert.match(warn.message ?? '', /match the selector app=checkout/);

    await svcs().patch(NS, 'checkout', 'application/strategic-merge-patch+json', { spec: { selector: { app: 'checkout-service' } } });
    const full = await waitFor('populated Endpoints', async () => {
      const e = await eps('checkout');
      return e.subsets?.[0]?.addresses?.length === 2 ? e : undefined;
    });
    assert.deepEqual(
      full.subsets?.[0]?.addresses?.map((a) => [a.ip, a.nodeName, a.targetRef?.kind, a.targetRef?.name]),
      [
        ['10.244.0.11', 'node-1', 'Pod', 'checkout-1'],
        ['10.244.0.12', 'node-1', 'Pod', 'checkout-2'],
      ],
    );
    assert.deepEqual(full.subsets?.[0]?.ports, [{ port: 8080, protocol: 'TCP' }]);
    assert.equal(full.metadata?.labels?.['endpoints.kubernetes.io/managed-by'], 'endpoint-controller');
    assert.match(full.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const slices = await waitFor('populated slice', async () => {
      const s = await slicesOf(c.client, NS, 'checkout');
      return s.length === 1 && readyIPs(s).length === 2 ? s : undefined;
    });
    const slice = slices[0];
    assert.ok(slice);
    // The placeholder was reused (minimal churn), not replaced.
    assert.equal(slice.metadata?.name, placeholder[0]?.metadata?.name);
    assert.deepEqual(slice.ports, [{ name: '', port: 8080, protocol: 'TCP' }]);
    assert.equal(slice.addressType, 'IPv4');
    const ep = slice.endpoints?.find((e) => e.targetRef?.name === 'checkout-1');
    assert.deepEqual(ep?.conditions, { ready: true, serving: true, terminating: false });
    assert.equal(ep?.nodeName, 'node-1');
    assert.equal(ep?.zone, 'zone-a');
    const svc = await svcs().get(NS, 'checkout');
    assert.deepEqual(slice.metadata?.ownerReferences, [
      { apiVersion: 'v1', kind: 'Service', name: 'checkout', uid: svc.metadata?.uid, controller: true, blockOwnerDeletion: true },
    ]);
    assert.equal(slice.metadata?.labels?.['kubernetes.io/service-name'], 'checkout');
    assert.equal(slice.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  });

  test('readiness flips move addresses between addresses and notReadyAddresses and flip slice conditions', async () => {
    await svcs().create(NS, { metadata: { name: 'flip' }, spec: { selector: { app: 'flip' }, ports: [{ port: 80 }] } });
    await makePod(c.client, NS, 'flip-1', { labels: { app: 'flip' }, ip: '10.244.1.1' });
    await makePod(c.client, NS, 'flip-2', { labels: { app: 'flip' }, ip: '10.244.1.2', ready: false });
    const e1 = await waitFor('one ready, one not', async () => {
      const e = await eps('flip');
      return e.subsets?.[0]?.addresses?.length === 1 && e.subsets[0].notReadyAddresses?.length === 1 ? e : undefined;
    });
    assert.equal(e1.subsets?.[0]?.addresses?.[0]?.ip, '10.244.1.1');
    assert.equal(e1.subsets?.[0]?.notReadyAddresses?.[0]?.ip, '10.244.1.2');
    await waitFor('slice conditions', async () => {
      const s = await slicesOf(c.client, NS, 'flip');
      const byIP = new Map((s[0]?.endpoints ?? []).map((e) => [e.addresses[0], e.conditions]));
      return byIP.get('10.244.1.2')?.ready === false && byIP.get('10.244.1.2')?.serving === false && byIP.get('10.244.1.1')?.ready === true;
    });
    await setReady(c.client, NS, 'flip-2', true);
    await setReady(c.client, NS, 'flip-1', false);
    const e2 = await waitFor('flipped', async () => {
      const e = await eps('flip');
      return e.subsets?.[0]?.addresses?.[0]?.ip === '10.244.1.2' && e.subsets[0].notReadyAddresses?.[0]?.ip === '10.244.1.1' ? e : undefined;
    });
    assert.equal(e2.subsets?.[0]?.addresses?.length, 1);
    await waitFor('slice follows', async () => {
      const s = await slicesOf(c.client, NS, 'flip');
      return readyIPs(s).join() === '10.244.1.2';
    });
    // All unready: the Service gets a NoReadyEndpoints warning.
    await setReady(c.client, NS, 'flip-2', false);
    await waitFor('NoReadyEndpoints event', async () => {
      const evs = (await c.client.resource(EVENTS).list({ namespace: NS })).items;
      return evs.find((e) => e.involvedObject.name === 'flip' && e.reason === 'NoReadyEndpoints');
    });
  });

  test('a terminating pod leaves Endpoints; in its slice it is serving but not ready, and terminating', async () => {
    await svcs().create(NS, { metadata: { name: 'term' }, spec: { selector: { app: 'term' }, ports: [{ port: 80 }] } });
    await makePod(c.client, NS, 'term-1', { labels: { app: 'term' }, ip: '10.244.2.1' });
    await waitFor('address', async () => (await eps('term')).subsets?.[0]?.addresses?.length === 1);
    await c.client.resource(PODS).delete(NS, 'term-1', { gracePeriodSeconds: 30 });
    await waitFor('gone from Endpoints', async () => (await eps('term')).subsets === undefined);
    const s = await waitFor('terminating endpoint', async () => {
      const sl = await slicesOf(c.client, NS, 'term');
      const e = sl[0]?.endpoints?.[0];
      return e?.conditions?.terminating ? e : undefined;
    });
    assert.deepEqual(s.conditions, { ready: false, serving: true, terminating: true });
  });

  test('250 pods make 3 slices of at most 100', async () => {
    await svcs().create(NS, { metadata: { name: 'big' }, spec: { selector: { app: 'big' }, ports: [{ port: 80 }] } });
    for (let i = 0; i < 250; i++) await makePod(c.client, NS, `big-${i}`, { labels: { app: 'big' }, ip: `10.245.${i >> 8}.${i & 255}` });
    const slices = await waitFor(
      '3 slices with 250 endpoints',
      async () => {
        const s = await slicesOf(c.client, NS, 'big');
        return s.length === 3 && readyIPs(s).length === 250 ? s : undefined;
      },
      30000,
    );
    assert.deepEqual(slices.map((s) => s.endpoints?.length ?? 0).sort((a, b) => a - b), [50, 100, 100]);
    const e = await eps('big');
    assert.equal(e.subsets?.[0]?.addresses?.length, 250);
  });

  test('over 1000 pods: Endpoints truncated to 1000 and annotated; slices keep them all', async () => {
    await svcs().create(NS, { metadata: { name: 'huge' }, spec: { selector: { app: 'huge' }, ports: [{ port: 80 }] } });
    const idx = Array.from({ length: 1001 }, (_, i) => i);
    for (let i = 0; i < idx.length; i += 50) {
      await Promise.all(idx.slice(i, i + 50).map((j) => makePod(c.client, NS, `huge-${j}`, { labels: { app: 'huge' }, ip: `10.246.${j >> 8}.${j & 255}` })));
    }
    const e = await waitFor(
      'truncated Endpoints',
      async () => {
        const x = await eps('huge');
        return x.metadata?.annotations?.['endpoints.kubernetes.io/over-capacity'] === 'truncated' ? x : undefined;
      },
      30000,
    );
    assert.equal(e.subsets?.[0]?.addresses?.length, 1000);
    const slices = await waitFor(
      '11 slices',
      async () => {
        const s = await slicesOf(c.client, NS, 'huge');
        return readyIPs(s).length === 1001 ? s : undefined;
      },
      30000,
    );
    assert.equal(slices.length, 11);
    // Back under the limit: the annotation goes away.
    await c.client.resource(PODS).delete(NS, 'huge-0', { gracePeriodSeconds: 0 });
    await waitFor('annotation removed', async () => (await eps('huge')).metadata?.annotations?.['endpoints.kubernetes.io/over-capacity'] === undefined, 30000);
  });

  test('a named targetPort resolving to two numbers gives 2 slices and 2 subsets; multi-port in one', async () => {
    await svcs().create(NS, {
      metadata: { name: 'named' },
      spec: {
        selector: { app: 'named' },
        ports: [
          { name: 'http', port: 80, targetPort: 'web' },
          { name: 'metrics', port: 9090, targetPort: 9090 },
        ],
      },
    });
    await makePod(c.client, NS, 'named-a', { labels: { app: 'named' }, ip: '10.244.3.1', ports: { web: 8080 } });
    await makePod(c.client, NS, 'named-b', { labels: { app: 'named' }, ip: '10.244.3.2', ports: { web: 8081 } });
    await makePod(c.client, NS, 'named-c', { labels: { app: 'named' }, ip: '10.244.3.3', ports: { web: 8080 } });
    const slices = await waitFor('2 slices', async () => {
      const s = await slicesOf(c.client, NS, 'named');
      return s.length === 2 && readyIPs(s).length === 3 ? s : undefined;
    });
    const byPort = new Map(slices.map((s) => [s.ports?.find((p) => p.name === 'http')?.port, s]));
    assert.deepEqual(byPort.get(8080)?.endpoints?.map((e) => e.addresses[0]).sort(), ['10.244.3.1', '10.244.3.3']);
    assert.deepEqual(byPort.get(8081)?.endpoints?.map((e) => e.addresses[0]), ['10.244.3.2']);
    assert.deepEqual(
      byPort.get(8080)?.ports?.map((p) => [p.name, p.port]).sort(),
      [
        ['http', 8080],
        ['metrics', 9090],
      ],
    );
    // Endpoints repacks: metrics (all three) in one subset, each http number in its own.
    const e = await waitFor('3 subsets', async () => {
      const x = await eps('named');
      return x.subsets?.length === 3 ? x : undefined;
    });
    const shape = (e.subsets ?? []).map((s) => [s.ports?.map((p) => `${p.name}:${p.port}`).join(','), s.addresses?.map((a) => a.ip).join(',')]).sort();
    assert.deepEqual(shape, [
      ['http:8080', '10.244.3.1,10.244.3.3'],
      ['http:8081', '10.244.3.2'],
      ['metrics:9090', '10.244.3.1,10.244.3.2,10.244.3.3'],
    ]);
  });

  test('headless Service: headless label, hostname from a matching subdomain', async () => {
    await svcs().create(NS, { metadata: { name: 'db' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] } });
    await makePod(c.client, NS, 'db-0', { labels: { app: 'db' }, ip: '10.244.4.1', hostname: 'db-0', subdomain: 'db' });
    await makePod(c.client, NS, 'db-x', { labels: { app: 'db' }, ip: '10.244.4.2', hostname: 'db-x', subdomain: 'other' });
    const slices = await waitFor('headless slice', async () => {
      const s = await slicesOf(c.client, NS, 'db');
      return readyIPs(s).length === 2 ? s : undefined;
    });
    assert.equal(slices[0]?.metadata?.labels?.['service.kubernetes.io/headless'], '');
    const hostnames = new Map((slices[0]?.endpoints ?? []).map((e) => [e.addresses[0], e.hostname]));
    assert.equal(hostnames.get('10.244.4.1'), 'db-0');
    assert.equal(hostnames.get('10.244.4.2'), undefined);
    const e = await waitFor('headless Endpoints', async () => {
      const x = await eps('db');
      return x.subsets?.[0]?.addresses?.length === 2 ? x : undefined;
    });
    assert.equal(e.metadata?.labels?.['service.kubernetes.io/headless'], '');
    assert.equal(e.subsets?.[0]?.addresses?.find((a) => a.ip === '10.244.4.1')?.hostname, 'db-0');
  });

  test('publishNotReadyAddresses lists unready pods as addresses and ready endpoints', async () => {
    await svcs().create(NS, { metadata: { name: 'pnr' }, spec: { selector: { app: 'pnr' }, publishNotReadyAddresses: true, ports: [{ port: 80 }] } });
    await makePod(c.client, NS, 'pnr-1', { labels: { app: 'pnr' }, ip: '10.244.5.1', ready: false });
    await waitFor('address', async () => (await eps('pnr')).subsets?.[0]?.addresses?.[0]?.ip === '10.244.5.1');
    const s = await waitFor('ready endpoint', async () => {
      const sl = await slicesOf(c.client, NS, 'pnr');
      return sl[0]?.endpoints?.[0];
    });
    assert.deepEqual(s.conditions, { ready: true, serving: false, terminating: false });
  });

  test('deleting the Service removes its Endpoints and slices', async () => {
    await svcs().create(NS, { metadata: { name: 'gone' }, spec: { selector: { app: 'gone' }, ports: [{ port: 80 }] } });
    await makePod(c.client, NS, 'gone-1', { labels: { app: 'gone' }, ip: '10.244.6.1' });
    await waitFor('slice', async () => readyIPs(await slicesOf(c.client, NS, 'gone')).length === 1);
    await svcs().delete(NS, 'gone');
    await waitFor('slices deleted', async () => (await slicesOf(c.client, NS, 'gone')).length === 0);
    await waitFor('Endpoints deleted', async () => (await eps('gone').then(() => false, () => true)) as boolean);
  });

  test('ExternalName and selector-less Services get nothing from these controllers', async () => {
    await svcs().create(NS, { metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
    await svcs().create(NS, { metadata: { name: 'nosel' }, spec: { ports: [{ port: 80 }] } });
    await svcs().create(NS, { metadata: { name: 'marker' }, spec: { selector: { app: 'marker' }, ports: [{ port: 80 }] } });
    await waitFor('marker processed', async () => (await slicesOf(c.client, NS, 'marker')).length === 1);
    assert.equal((await slicesOf(c.client, NS, 'ext')).length, 0);
    assert.equal((await slicesOf(c.client, NS, 'nosel')).length, 0);
    await assert.rejects(eps('ext'));
    await assert.rejects(eps('nosel'));
  });
});

export type { Service };
