// The controller manager: which controllers run (kube-controller-manager's --controllers rules),
// config checks, and that a switched-off controller really does nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ENDPOINTS, ENDPOINTSLICES, SERVICES } from '../../src/client/kinds.js';
import { startControllers } from '../../src/controllers/index.js';
import { makePod, readyIPs, slicesOf, startControllerCluster, waitFor, type ControllerCluster } from './endpoints-harness.js';

describe('controller manager', () => {
  let c: ControllerCluster;
  before(async () => {
    c = await startControllerCluster({ controllers: { controllers: ['endpointslice-controller'] } });
  });
  after(async () => {
    await c?.close();
  });

  test('selection: "-name" wins over "*" in any order, names alone run only those, unknown names throw', async () => {
    const names = (controllers: string[]) => {
      const r = startControllers({ client: c.client, controllers });
      void r.stop();
      return r.names;
    };
    const some = names(['-endpoint-controller', '*']);
    assert.ok(some.includes('endpointslice-controller'));
    assert.ok(!some.includes('endpoint-controller'));
    assert.deepEqual(names(['endpoint-controller']), ['endpoint-controller']);
    assert.deepEqual(names(['-endpoint-controller']), []);
    assert.throws(() => startControllers({ client: c.client, controllers: ['nope'] }), /unknown controller "nope"/);
    assert.throws(() => startControllers({ client: c.client, maxEndpointsPerSlice: 0 }), /maxEndpointsPerSlice must be an integer in \[1, 1000\]/);
  });

  test('stopping before the caches synced rejects ready', async () => {
    const r = startControllers({ client: c.client, controllers: ['endpoint-controller'] });
    await r.stop();
    await assert.rejects(r.ready);
  });

  test('a controller left out does nothing: slices appear, Endpoints do not', async () => {
    assert.deepEqual(c.controllers.names, ['endpointslice-controller']);
    await c.client.resource(SERVICES).create('default', { metadata: { name: 'only-slices' }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } });
    await waitFor('placeholder slice', async () => (await slicesOf(c.client, 'default', 'only-slices')).length === 1);
    await new Promise((r) => setTimeout(r, 300));
    await assert.rejects(c.client.resource(ENDPOINTS).get('default', 'only-slices'), /not found/);
  });

  test('a restarted manager acts on synced caches: no slice or Endpoints is rewritten', async () => {
    const full = startControllers({ client: c.client });
    await full.ready;
    await c.client.resource(SERVICES).create('default', { metadata: { name: 'steady' }, spec: { selector: { app: 'steady' }, ports: [{ port: 80 }] } });
    for (let i = 0; i < 150; i++) await makePod(c.client, 'default', `steady-${i}`, { labels: { app: 'steady' }, ip: `10.247.0.${i}` });
    await waitFor('2 full slices', async () => readyIPs(await slicesOf(c.client, 'default', 'steady')).length === 150, 20000);
    await waitFor('Endpoints', async () => (await c.client.resource(ENDPOINTS).get('default', 'steady')).subsets?.[0]?.addresses?.length === 150, 20000);
    await new Promise((r) => setTimeout(r, 300));
    await full.stop();
    const before = await c.client.resource(ENDPOINTSLICES).list({ namespace: 'default' });
    const epBefore = await c.client.resource(ENDPOINTS).get('default', 'steady');
    const again = startControllers({ client: c.client, controllers: ['endpoint-controller', 'endpointslice-controller', 'endpointslice-mirroring-controller'] });
    await again.ready;
    await new Promise((r) => setTimeout(r, 1000));
    await again.stop();
    const after = await c.client.resource(ENDPOINTSLICES).list({ namespace: 'default' });
    const rv = (l: typeof before) => l.items.map((s) => `${s.metadata?.name}@${s.metadata?.resourceVersion}`).sort();
    assert.deepEqual(rv(after), rv(before), 'the same slices at the same resourceVersions');
    const ep = await c.client.resource(ENDPOINTS).get('default', 'steady');
    assert.equal(ep.subsets?.[0]?.addresses?.length, 150);
    assert.equal(ep.metadata?.resourceVersion, epBefore.metadata?.resourceVersion, 'Endpoints not rewritten');
  });
});
