// Event recording over both transports: what `kubectl describe` would show, with repeats aggregated.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createEventRecorder } from '../../src/client/event-recorder.js';
import { CONFIGMAPS, EVENTS, NAMESPACES } from '../../src/client/kinds.js';
import { createLogger } from '../../src/util/log.js';
import { startCluster, TRANSPORTS, type Cluster } from './harness.js';

for (const transport of TRANSPORTS) {
  describe(`events over ${transport}`, () => {
    let c: Cluster;
    before(async () => {
      c = await startCluster(transport);
      await c.client.resource(NAMESPACES).create(undefined, { metadata: { name: 'ev' } });
    });
    after(async () => {
      await c.close();
    });

    test('an event names its object and source; a repeat bumps count and lastTimestamp', async () => {
      let t = Date.parse('2026-01-02T03:04:05.678Z');
      const rec = createEventRecorder({ client: c.client, component: 'test-controller', host: 'node-1', now: () => new Date(t) });
      const target = await c.client.resource(CONFIGMAPS).create('ev', { metadata: { name: 'web' } });
      rec.recordEvent(target, 'Warning', 'NoEndpoints', 'no pods match the selector app=web');
      t += 7000;
      rec.recordEvent(target, 'Warning', 'NoEndpoints', 'no pods match the selector app=web');
      rec.recordEvent(target, 'Normal', 'Synced', 'ok');
      await rec.flush();
      const list = await c.client.resource(EVENTS).list({ namespace: 'ev' });
      const warn = list.items.find((e) => e.reason === 'NoEndpoints');
      assert.ok(warn, 'the warning was recorded');
      assert.equal(list.items.length, 2);
      assert.equal(warn.count, 2);
      assert.equal(warn.type, 'Warning');
      assert.equal(warn.firstTimestamp, '2026-01-02T03:04:05Z');
      assert.equal(warn.lastTimestamp, '2026-01-02T03:04:12Z');
      assert.deepEqual(warn.involvedObject, {
        kind: 'ConfigMap',
        apiVersion: 'v1',
        namespace: 'ev',
        name: 'web',
        uid: target.metadata?.uid,
        resourceVersion: target.metadata?.resourceVersion,
      });
      assert.deepEqual(warn.source, { component: 'test-controller', host: 'node-1' });
      assert.match(warn.metadata?.name ?? '', /^web\.[0-9a-f]+$/);
    });

    test('a fieldPath names the part of the object (the kubelet\'s container events)', async () => {
      const rec = createEventRecorder({ client: c.client, component: 'kubelet', host: 'node-1' });
      const target = await c.client.resource(CONFIGMAPS).create('ev', { metadata: { name: 'pod-like' } });
      rec.recordEvent({ ...target, fieldPath: 'spec.containers{web}' }, 'Normal', 'Started', 'Started container web');
      await rec.flush();
      const list = await c.client.resource(EVENTS).list({ namespace: 'ev' });
      assert.equal(list.items.find((e) => e.reason === 'Started')?.involvedObject.fieldPath, 'spec.containers{web}');
    });

    test('cluster-scoped objects get their events in "default"; a failing write is logged, never thrown', async () => {
      const lines: string[] = [];
      const rec = createEventRecorder({ client: c.client, component: 'nodes', logger: createLogger({ sink: (l) => lines.push(l) }) });
      rec.recordEvent({ kind: 'Node', apiVersion: 'v1', metadata: { name: 'node-9', uid: 'u-1' } }, 'Normal', 'Registered', 'node-9 joined');
      rec.recordEvent({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'x', namespace: 'no-such-namespace' } }, 'Normal', 'Lost', 'into the void');
      await rec.flush();
      const inDefault = await c.client.resource(EVENTS).list({ namespace: 'default' });
      assert.deepEqual(inDefault.items.map((e) => [e.involvedObject.kind, e.involvedObject.name, e.reason]), [['Node', 'node-9', 'Registered']]);
      assert.ok(lines.some((l) => l.includes('could not write event') && l.includes('namespaces \\"no-such-namespace\\" not found')), lines.join('\n'));
    });
  });
}
