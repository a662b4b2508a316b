// The pattern every controller follows, end to end over both transports: informer handlers only
// record keys, workers reconcile from the listers and write through the client, failures retry
// with backoff. Here a toy controller mirrors each ConfigMap labelled mirror=yes into "<name>-copy".
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { SharedInformerFactory } from '../../src/client/factory.js';
import { deletedObject } from '../../src/client/informer.js';
import { CONFIGMAPS, NAMESPACES } from '../../src/client/kinds.js';
import { isNotFound } from '../../src/client/errors.js';
import { objectKey, splitKey } from '../../src/client/objects.js';
import { ItemExponentialRateLimiter } from '../../src/client/rate-limiter.js';
import { runWorkers, WorkQueue } from '../../src/client/workqueue.js';
import { eventually, startCluster, TRANSPORTS, type Cluster } from './harness.js';

for (const transport of TRANSPORTS) {
  describe(`controller pattern over ${transport}`, () => {
    let c: Cluster;
    before(async () => {
      c = await startCluster(transport);
      await c.client.resource(NAMESPACES).create(undefined, { metadata: { name: 'mirror' } });
    });
    after(async () => {
      await c.close();
    });

    test('informer → work queue → reconcile converges, retrying a failing key with backoff', async () => {
      const cms = c.client.resource(CONFIGMAPS);
      const factory = new SharedInformerFactory(c.client, { namespace: 'mirror', backoff: { initialMs: 10, maxMs: 100 } });
      const informer = factory.informerFor(CONFIGMAPS);
      const queue = new WorkQueue<string>({ name: 'mirror', rateLimiter: new ItemExponentialRateLimiter(5, 50) });
      const enqueue = (o: ConfigMap) => {
        const key = objectKey(o);
        queue.add(key.endsWith('-copy') ? key.slice(0, -'-copy'.length) : key);
      };
      informer.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: (o) => enqueue(deletedObject(o)) });
      let failuresLeft = 2;
      let attemptsOnFlaky = 0;
      const workers = runWorkers(queue, 2, async (key) => {
        const { namespace, name } = splitKey(key);
        if (name === 'flaky') {
          attemptsOnFlaky++;
          if (failuresLeft-- > 0) throw new Error('transient');
        }
        const src = informer.lister.get(namespace, name);
        const copy = informer.lister.get(namespace, `${name}-copy`);
        if (!src || src.metadata?.labels?.mirror !== 'yes') {
          if (copy) await cms.delete(namespace, `${name}-copy`).catch((e) => { if (!isNotFound(e)) throw e; });
          return;
        }
        if (!copy) await cms.create(namespace, { metadata: { name: `${name}-copy` }, data: src.data });
        else if (JSON.stringify(copy.data ?? {}) !== JSON.stringify(src.data ?? {})) {
          await cms.update(namespace, { ...structuredClone(copy), data: src.data });
        }
      });
      factory.start();
      try {
        await factory.waitForCacheSync();
        await cms.create('mirror', { metadata: { name: 'a', labels: { mirror: 'yes' } }, data: { v: '1' } });
        await cms.create('mirror', { metadata: { name: 'flaky', labels: { mirror: 'yes' } }, data: { v: 'f' } });
        await cms.create('mirror', { metadata: { name: 'ignored' }, data: { v: 'x' } });
        await eventually(() => Boolean(informer.lister.get('mirror', 'a-copy') && informer.lister.get('mirror', 'flaky-copy')), 10000, 'copies');
        assert.equal(attemptsOnFlaky >= 3, true, 'two failures, then success');
        const a = await cms.get('mirror', 'a');
        await cms.update('mirror', { ...a, data: { v: '2' } });
        await eventually(() => informer.lister.get('mirror', 'a-copy')?.data?.v === '2', 10000, 'copy follows the update');
        await cms.delete('mirror', 'a');
        await eventually(() => !informer.lister.get('mirror', 'a-copy'), 10000, 'copy removed');
        assert.deepEqual(
          (await cms.list({ namespace: 'mirror' })).items.map((o) => o.metadata?.name).sort(),
          ['flaky', 'flaky-copy', 'ignored'],
        );
      } finally {
        queue.shutDown();
        await workers;
        factory.stop();
      }
    });
  });
}
