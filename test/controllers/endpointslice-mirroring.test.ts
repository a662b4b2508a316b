// The mirroring controller against a real API server over HTTP: a user's Endpoints for a
// selector-less Service appear as EndpointSlices, follow edits, and disappear when the Service
// gets a selector, the Endpoints opt out, or the Service is deleted.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Endpoints, Event } from 'kubernetes-types/core/v1.js';
import { ENDPOINTS, EVENTS, SERVICES } from '../../src/client/kinds.js';
import { slicesOf, startControllerCluster, waitFor, type ControllerCluster } from './endpoints-harness.js';

const NS = 'default';
const MIRROR = 'endpointslicemirroring-controller.k8s.io';

describe('endpointslice mirroring', () => {
  let c: ControllerCluster;
  before(async () => {
    c = await startControllerCluster({ http: true, controllers: { mirroringMaxEndpointsPerSubset: 3 } });
  });
  after(async () => {
    await c?.close();
  });

  const manual = (name: string, ips: string[], notReady: string[] = [], labels: Record<string, string> = {}): Endpoints => ({
    metadata: { name, labels },
    subsets: [{ addresses: ips.map((ip) => ({ ip })), notReadyAddresses: notReady.length ? notReady.map((ip) => ({ ip })) : undefined, ports: [{ name: 'db', port: 5432 }] }],
  });

  test('manual Endpoints of a selector-less Service are mirrored into a slice and follow edits', async () => {
    await c.client.resource(SERVICES).create(NS, { metadata: { name: 'external-db' }, spec: { ports: [{ name: 'db', port: 5432 }] } });
    const ep = await c.client.resource(ENDPOINTS).create(NS, manual('external-db', ['192.0.2.10', '192.0.2.11'], ['192.0.2.12'], { team: 'data' }));
    const slices = await waitFor('mirrored slice', async () => {
      const s = await slicesOf(c.client, NS, 'external-db', MIRROR);
      return s.length === 1 && s[0]?.endpoints?.length === 3 ? s : undefined;
    });
    const s = slices[0];
    assert.ok(s);
    assert.equal(s.addressType, 'IPv4');
    assert.equal(s.metadata?.generateName, 'external-db-');
    assert.deepEqual(s.ports, [{ name: 'db', port: 5432, protocol: 'TCP' }]);
    assert.equal(s.metadata?.labels?.team, 'data');
    assert.deepEqual(s.metadata?.ownerReferences, [
      { apiVersion: 'v1', kind: 'Endpoints', name: 'external-db', uid: ep.metadata?.uid, controller: true, blockOwnerDeletion: true },
    ]);
    const ready = new Map((s.endpoints ?? []).map((e) => [e.addresses[0], e.conditions?.ready]));
    assert.deepEqual([...ready.entries()].sort(), [
      ['192.0.2.10', true],
      ['192.0.2.11', true],
      ['192.0.2.12', false],
    ]);
    // The EndpointSlice controller leaves a selector-less Service alone.
    assert.equal((await slicesOf(c.client, NS, 'external-db')).length, 0);

    const cur = await c.client.resource(ENDPOINTS).get(NS, 'external-db');
    await c.client.resource(ENDPOINTS).update(NS, { ...cur, subsets: manual('x', ['192.0.2.20']).subsets });
    const after1 = await waitFor('edit mirrored', async () => {
      const sl = await slicesOf(c.client, NS, 'external-db', MIRROR);
      return sl.length === 1 && sl[0]?.endpoints?.map((e) => e.addresses[0]).join() === '192.0.2.20' ? sl : undefined;
    });
    assert.equal(after1[0]?.metadata?.name, s.metadata?.name, 'the slice is updated in place');
  });

  test('more addresses than the per-subset maximum are skipped with an event', async () => {
    await c.client.resource(SERVICES).create(NS, { metadata: { name: 'many' }, spec: { ports: [{ name: 'db', port: 5432 }] } });
    await c.client.resource(ENDPOINTS).create(NS, manual('many', ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5']));
    await waitFor('3 mirrored', async () => (await slicesOf(c.client, NS, 'many', MIRROR))[0]?.endpoints?.length === 3);
    const ev = await waitFor('TooManyAddressesToMirror', async () =>
      (await c.client.resource(EVENTS).list({ namespace: NS })).items.find((e: Event) => e.involvedObject.name === 'many' && e.reason === 'TooManyAddressesToMirror'),
    );
    assert.equal(ev.message, 'A max of 3 addresses can be mirrored to EndpointSlices per Endpoints subset. 2 addresses were skipped');
    assert.equal(ev.involvedObject.kind, 'Endpoints');
  });

  test('skip-mirror label, a selector added, and deleting the Service remove the mirrored slices', async () => {
    const svcs = c.client.resource(SERVICES);
    for (const n of ['skip', 'gain-selector', 'deleted']) {
      await svcs.create(NS, { metadata: { name: n }, spec: { ports: [{ name: 'db', port: 5432 }] } });
      await c.client.resource(ENDPOINTS).create(NS, manual(n, ['192.0.2.50']));
    }
    for (const n of ['skip', 'gain-selector', 'deleted']) await waitFor(`${n} mirrored`, async () => (await slicesOf(c.client, NS, n, MIRROR)).length === 1);
    await c.client.resource(ENDPOINTS).patch(NS, 'skip', 'application/merge-patch+json', { metadata: { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } } });
    await svcs.patch(NS, 'gain-selector', 'application/merge-patch+json', { spec: { selector: { app: 'x' } } });
    await svcs.delete(NS, 'deleted');
    for (const n of ['skip', 'gain-selector', 'deleted']) await waitFor(`${n} unmirrored`, async () => (await slicesOf(c.client, NS, n, MIRROR)).length === 0);
    // With a selector the EndpointSlice controller takes over (a placeholder: no pods match).
    await waitFor('placeholder for gain-selector', async () => (await slicesOf(c.client, NS, 'gain-selector')).length === 1);
  });
});
