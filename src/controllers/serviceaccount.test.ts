// The serviceaccount-controller on a real API server (memory store, in-process client).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { NAMESPACES, SERVICEACCOUNTS, isNotFound } from '../client/index.js';
import { startControllerCluster, waitFor, type ControllerCluster } from '../../test/controllers/endpoints-harness.js';

let c: ControllerCluster;
before(async () => {
  c = await startControllerCluster({ namespaces: ['early'], controllers: { controllers: ['serviceaccount-controller'] } });
});
after(async () => {
  await c?.close();
});

const accounts = () => c.client.resource(SERVICEACCOUNTS);
const exists = async (ns: string, name = 'default') => {
  try {
    return await accounts().get(ns, name);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
};

test('namespaces that existed before the controller started get a default ServiceAccount', async () => {
  for (const ns of ['default', 'early']) {
    const sa = await waitFor(`default in ${ns}`, () => exists(ns));
    assert.deepEqual(Object.keys(sa.metadata ?? {}).includes('labels'), false, 'a bare account, as kube-controller-manager makes it');
    assert.equal(sa.secrets, undefined);
  }
});

test('a new namespace gets one; a deleted default account comes back; other accounts do not', async () => {
  await c.client.resource(NAMESPACES).create(undefined, { metadata: { name: 'fresh' } });
  const first = await waitFor('default in fresh', () => exists('fresh'));
  await accounts().create('fresh', { metadata: { name: 'builder' } });
  await accounts().delete('fresh', 'default');
  const again = await waitFor('default recreated', async () => {
    const sa = await exists('fresh');
    return sa && sa.metadata?.uid !== first.metadata?.uid ? sa : undefined;
  });
  assert.equal(again.metadata?.name, 'default');
  await accounts().delete('fresh', 'builder');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await exists('fresh', 'builder'), undefined);
});

test('a terminating namespace gets none', async () => {
  await c.client.resource(NAMESPACES).create(undefined, { metadata: { name: 'going', finalizers: ['example.com/hold'] } });
  await waitFor('default in going', () => exists('going'));
  await c.client.resource(NAMESPACES).delete(undefined, 'going');
  // The namespace lingers (its finalizer) while its content is removed; the account must stay gone.
  await accounts().delete('going', 'default').catch((e: unknown) => {
    if (!isNotFound(e)) throw e;
  });
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await exists('going'), undefined);
});
