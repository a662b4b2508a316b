// The same client tests over both transports against a real API server: results, errors (code,
// reason and kube-apiserver's exact message) and watch streams must not depend on the transport.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { StatusError } from '../../src/api/errors.js';
import { CONFIGMAPS, NAMESPACES, SERVICES } from '../../src/client/kinds.js';
import { retryOnConflict } from '../../src/client/retry.js';
import type { WatchEvent } from '../../src/client/transport.js';
import { eventually, startCluster, TRANSPORTS, type Cluster } from './harness.js';

function cm(name: string, data: Record<string, string> = {}, labels?: Record<string, string>): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data };
}

async function rejects(p: Promise<unknown>, code: number, reason: string, message?: string | RegExp): Promise<StatusError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof StatusError, `want a StatusError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.reason, reason, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail('expected the call to fail');
}

for (const transport of TRANSPORTS) {
  describe(`client over ${transport}`, () => {
    let c: Cluster;
    before(async () => {
      c = await startCluster(transport);
    });
    after(async () => {
      await c.close();
    });

    test('create, get, list, update, delete round-trip with kind and apiVersion on every object', async () => {
      const cms = c.client.resource(CONFIGMAPS);
      const created = await cms.create('default', cm('a', { k: 'v' }));
      assert.equal(created.metadata?.namespace, 'default');
      assert.ok(created.metadata?.resourceVersion);
      assert.ok(created.metadata?.uid);
      const got = await cms.get('default', 'a');
      assert.deepEqual(got, created);
      const list = await cms.list({ namespace: 'default' });
      const item = list.items.find((i) => i.metadata?.name === 'a');
      assert.equal(item?.kind, 'ConfigMap');
      assert.equal(item?.apiVersion, 'v1');
      assert.ok(Number(list.resourceVersion) >= Number(created.metadata?.resourceVersion));
      const updated = await cms.update('default', { ...got, data: { k: 'w' } });
      assert.equal(updated.data?.k, 'w');
      assert.notEqual(updated.metadata?.resourceVersion, got.metadata?.resourceVersion);
      const deleted = await cms.delete('default', 'a');
      assert.equal(deleted.metadata?.name, 'a');
      await rejects(cms.get('default', 'a'), 404, 'NotFound', 'configmaps "a" not found');
    });

    test('namespace comes from the object when not given; cluster-scoped resources ignore it', async () => {
      const cms = c.client.resource(CONFIGMAPS);
      const o = await cms.create(undefined, { ...cm('from-obj'), metadata: { name: 'from-obj', namespace: 'kube-system' } });
      assert.equal(o.metadata?.namespace, 'kube-system');
      const ns = await c.client.resource(NAMESPACES).get('ignored', 'default');
      assert.equal(ns.metadata?.name, 'default');
    });

    test('errors keep code, reason, message and details', async () => {
      const cms = c.client.resource(CONFIGMAPS);
      await cms.create('default', cm('dup'));
      const e = await rejects(cms.create('default', cm('dup')), 409, 'AlreadyExists', 'configmaps "dup" already exists');
      assert.equal(e.details?.name, 'dup');
      const stale = await cms.get('default', 'dup');
      await cms.update('default', { ...stale, data: { x: '1' } });
      await rejects(
        cms.update('default', { ...stale, data: { x: '2' } }),
        409,
        'Conflict',
        'Operation cannot be fulfilled on configmaps "dup": the object has been modified; please apply your changes to the latest version and try again',
      );
      const inv = await rejects(cms.create('default', cm('Bad_Name')), 422, 'Invalid', /^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"/);
      assert.ok(inv.details?.causes?.length);
      await rejects(cms.create('nope', cm('x')), 404, 'NotFound', 'namespaces "nope" not found');
      await rejects(cms.list({ labelSelector: 'a in (' }), 400, 'BadRequest');
    });

    test('delete options travel: preconditions, dry run', async () => {
      const cms = c.client.resource(CONFIGMAPS);
      const o = await cms.create('default', cm('del-opts'));
      await rejects(
        cms.delete('default', 'del-opts', { preconditions: { uid: 'not-the-uid' } }),
        409,
        'Conflict',
        `Operation cannot be fulfilled on configmaps "del-opts": Precondition failed: UID in precondition: not-the-uid, UID in object meta: ${o.metadata?.uid}`,
      );
      const dry = await cms.delete('default', 'del-opts', { dryRun: true, propagationPolicy: 'Background' });
      assert.equal(dry.metadata?.name, 'del-opts');
      assert.equal((await cms.get('default', 'del-opts')).metadata?.uid, o.metadata?.uid);
      await cms.delete('default', 'del-opts', { preconditions: { uid: o.metadata?.uid, resourceVersion: o.metadata?.resourceVersion } });
      await rejects(cms.delete('default', 'del-opts'), 404, 'NotFound', 'configmaps "del-opts" not found');
    });

    test('retryOnConflict re-reads and wins a lost optimistic-concurrency race', async () => {
      const cms = c.client.resource(CONFIGMAPS);
      await cms.create('default', cm('race', { n: '0' }));
      let attempts = 0;
      const out = await retryOnConflict(async () => {
        attempts++;
        const cur = await cms.get('default', 'race');
        // Someone else writes between our read and our write, once.
        if (attempts === 1) await cms.update('default', { ...cur, data: { n: 'other' } });
        return cms.update('default', { ...cur, data: { n: String(attempts) } });
      });
      assert.equal(attempts, 2);
      assert.equal(out.data?.n, '2');
      await assert.rejects(
        retryOnConflict(async () => cms.create('default', cm('race'))),
        (e: StatusError) => e.reason === 'AlreadyExists',
      );
    });

    test('updateStatus writes only status; patch merges, and patches status through the subresource', async () => {
      const svcs = c.client.resource(SERVICES);
      const svc = await svcs.create('default', {
        metadata: { name: 'web' },
        spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80 }] },
      });
      assert.match(svc.spec?.clusterIP ?? '', /^10\./);
      const withStatus = await svcs.updateStatus('default', {
        ...svc,
        spec: { ...svc.spec, selector: { app: 'ignored' } },
        status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } },
      });
      assert.deepEqual(withStatus.status?.loadBalancer?.ingress?.map((i) => i.ip), ['192.0.2.10']);
      assert.deepEqual(withStatus.spec?.selector, { app: 'web' });
      const patched = await svcs.patch('default', 'web', 'application/merge-patch+json', { metadata: { labels: { tier: 'front' } } });
      assert.deepEqual(patched.metadata?.labels, { tier: 'front' });
      const sp = await svcs.patch('default', 'web', 'application/merge-patch+json', { status: { loadBalancer: { ingress: [{ ip: '192.0.2.11' }] } } }, { subresource: 'status' });
      assert.deepEqual(sp.status?.loadBalancer?.ingress?.map((i) => i.ip), ['192.0.2.11']);
      const jp = await svcs.patch('default', 'web', 'application/json-patch+json', [{ op: 'add', path: '/metadata/annotations', value: { a: 'b' } }]);
      assert.deepEqual(jp.metadata?.annotations, { a: 'b' });
      const dry = await svcs.patch('default', 'web', 'application/merge-patch+json', { metadata: { labels: { tier: 'dry' } } }, { dryRun: true });
      assert.equal(dry.metadata?.labels?.tier, 'dry');
      assert.equal((await svcs.get('default', 'web')).metadata?.labels?.tier, 'front');
      await svcs.delete('default', 'web');
    });

    test('list filters by label and field selectors; listAll pages through a consistent snapshot', async () => {
      const cms = c.client.resource(CONFIGMAPS);
      await c.client.resource(NAMESPACES).create(undefined, { metadata: { name: 'paging' } });
      for (let i = 0; i < 7; i++) await cms.create('paging', cm(`p${i}`, {}, { even: String(i % 2 === 0) }));
      const even = await cms.list({ namespace: 'paging', labelSelector: 'even=true' });
      assert.deepEqual(even.items.map((i) => i.metadata?.name), ['p0', 'p2', 'p4', 'p6']);
      const one = await cms.list({ namespace: 'paging', fieldSelector: 'metadata.name=p3' });
      assert.deepEqual(one.items.map((i) => i.metadata?.name), ['p3']);
      const page = await cms.list({ namespace: 'paging', limit: 3 });
      assert.equal(page.items.length, 3);
      assert.ok(page.continue);
      assert.equal(page.remainingItemCount, 4);
      const all = await cms.listAll({ namespace: 'paging' }, 2);
      assert.deepEqual(all.items.map((i) => i.metadata?.name), ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
      assert.equal(all.items[0].kind, 'ConfigMap');
    });

    test('watch from a resourceVersion streams ADDED, MODIFIED, DELETED in order; stop ends it', async () => {
      const cms = c.client.resource(CONFIGMAPS);
      const start = await cms.list({ namespace: 'default' });
      const events: WatchEvent<ConfigMap>[] = [];
      let ended = false;
      const w = await cms.watch(
        { namespace: 'default', resourceVersion: start.resourceVersion, allowWatchBookmarks: true },
        { onEvent: (ev) => events.push(ev), onEnd: () => (ended = true) },
      );
      const a = await cms.create('default', cm('w1'));
      await cms.update('default', { ...a, data: { k: '1' } });
      await cms.delete('default', 'w1');
      await cms.create('kube-system', cm('elsewhere'));
      await eventually(() => events.length >= 3, 10000, 'three watch events');
      assert.deepEqual(
        events.map((e) => [e.type, e.object.metadata?.name, e.object.kind]),
        [
          ['ADDED', 'w1', 'ConfigMap'],
          ['MODIFIED', 'w1', 'ConfigMap'],
          ['DELETED', 'w1', 'ConfigMap'],
        ],
      );
      assert.equal(events[1].object.data?.k, '1');
      w.stop();
      await cms.create('default', cm('after-stop'));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(events.length, 3);
      assert.equal(ended, false, 'onEnd is not called after our own stop()');
    });

    test('watch without a resourceVersion starts with the current state as ADDED', async () => {
      const cms = c.client.resource(CONFIGMAPS);
      await c.client.resource(NAMESPACES).create(undefined, { metadata: { name: 'initial' } });
      await cms.create('initial', cm('i1'));
      const events: WatchEvent<ConfigMap>[] = [];
      const w = await cms.watch({ namespace: 'initial' }, { onEvent: (ev) => events.push(ev), onEnd: () => {} });
      await eventually(() => events.length >= 1, 10000, 'initial event');
      assert.deepEqual([events[0].type, events[0].object.metadata?.name], ['ADDED', 'i1']);
      w.stop();
    });

    test('watch from a compacted resourceVersion yields a 410 ERROR event and ends', async () => {
      const cms = c.client.resource(CONFIGMAPS);
      const first = await cms.create('default', cm('old'));
      await cms.update('default', { ...first, data: { v: '2' } });
      const rev = await c.store.currentRevision();
      await c.store.compact(rev);
      const events: WatchEvent[] = [];
      let endedResolve!: (err?: Error) => void;
      const ended = new Promise<Error | undefined>((r) => (endedResolve = r));
      const old = String(Number(first.metadata?.resourceVersion) - 1);
      await cms.watch({ namespace: 'default', resourceVersion: old }, { onEvent: (ev) => events.push(ev as WatchEvent), onEnd: (e) => endedResolve(e) });
      assert.equal(await ended, undefined);
      assert.equal(events.length, 1);
      assert.equal(events[0].type, 'ERROR');
      assert.equal((events[0].object as unknown as { code: number }).code, 410);
      assert.match(String(events[0].object.message), /^too old resource version: \d+ \(\d+\)$/);
    });

    test('a consumer that throws from onEvent ends its own watch with that error, and nothing else breaks', async () => {
      const cms = c.client.resource(CONFIGMAPS);
      const start = await cms.list({ namespace: 'default' });
      let ended: Error | undefined;
      const others: string[] = [];
      await cms.watch({ namespace: 'default', resourceVersion: start.resourceVersion }, {
        onEvent: () => {
          throw new Error('consumer bug');
        },
        onEnd: (e) => (ended = e),
      });
      const w = await cms.watch({ namespace: 'default', resourceVersion: start.resourceVersion }, { onEvent: (ev) => others.push(ev.type), onEnd: () => {} });
      await cms.create('default', cm('thrower-1'));
      await eventually(() => ended !== undefined, 10000, 'the throwing watch to end');
      assert.equal(ended?.message, 'consumer bug');
      await cms.create('default', cm('thrower-2'));
      await eventually(() => others.length === 2, 10000, 'the other watch to carry on');
      w.stop();
    });

    test('a watch with a bad selector is refused with 400', async () => {
      await rejects(c.client.resource(CONFIGMAPS).watch({ labelSelector: '!!' }, { onEvent: () => {}, onEnd: () => {} }), 400, 'BadRequest');
    });
  });
}
