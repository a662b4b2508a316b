// The controller manager: which controllers run (kube-controller-manager's --controllers rules),
// config checks, and that a switched-off controller really does nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ENDPOINTS, SERVICES } from '../../src/client/kinds.js';
import { startControllers } from '../../src/controllers/index.js';
import { slicesOf, startControllerCluster, waitFor, type ControllerCluster } from './endpoints-harness.js';

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
});
