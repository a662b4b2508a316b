// The recorder against a real registry on the memory store (in-process transport): identical
// events fold into one with a growing count, distinct messages stay apart, the spam filter and the
// similar-message aggregation kick in at client-go's thresholds.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Event, Service } from 'kubernetes-types/core/v1.js';
import { createApiServer } from '../../src/apiserver/index.js';
import type { ApiServer } from '../../src/apiserver/index.js';
import { createClient, type Client } from '../../src/client/client.js';
import { inProcessTransport } from '../../src/client/in-process.js';
import { EVENTS, NAMESPACES, SERVICES } from '../../src/client/kinds.js';
import { DEFAULT_REGISTRY_CONFIG } from '../../src/registry/types.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import { silentLogger } from '../../src/util/log.js';
import { createEventRecorder } from '../../src/client/event-recorder.js';

let api: ApiServer;
let client: Client;
let svc: Service;
const store = createMemoryStore();

before(async () => {
  api = createApiServer({ store, logger: silentLogger, registryConfig: DEFAULT_REGISTRY_CONFIG, skipBootstrap: true });
  client = createClient(inProcessTransport(api.registry));
  await client.resource(NAMESPACES).create(undefined, { metadata: { name: 'ev' } });
  svc = await client.resource(SERVICES).create('ev', { metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } });
});
after(async () => {
  client.close();
  await api.close();
  await store.close();
});

async function eventsFor(name: string): Promise<Event[]> {
  const all = (await client.resource(EVENTS).list({ namespace: 'ev' })).items;
  return all.filter((e) => e.involvedObject.name === name);
}

test('identical events fold into one; count, timestamps and source as client-go', async () => {
  let t = Date.parse('2026-01-02T03:04:05.678Z');
  const rec = createEventRecorder({ client, component: 'endpoint-controller', now: () => new Date(t) });
  rec.recordEvent(svc, 'Warning', 'FailedToUpdateEndpoint', 'boom');
  t += 2000;
  rec.recordEvent(svc, 'Warning', 'FailedToUpdateEndpoint', 'boom');
  t += 1000;
  rec.recordEvent(svc, 'Warning', 'FailedToUpdateEndpoint', 'boom');
  rec.recordEvent(svc, 'Normal', 'Other', 'different');
  await rec.flush();
  const evs = await eventsFor('web');
  assert.equal(evs.length, 2);
  const boom = evs.find((e) => e.reason === 'FailedToUpdateEndpoint');
  assert.ok(boom);
  assert.equal(boom.count, 3);
  assert.equal(boom.firstTimestamp, '2026-01-02T03:04:05Z');
  assert.equal(boom.lastTimestamp, '2026-01-02T03:04:08Z');
  assert.deepEqual(boom.source, { component: 'endpoint-controller' });
  assert.equal(boom.type, 'Warning');
  assert.equal(boom.involvedObject.kind, 'Service');
  assert.equal(boom.involvedObject.uid, svc.metadata?.uid);
  assert.match(boom.metadata?.name ?? '', /^web\.[0-9a-f]+$/);
});

test('more than 10 distinct messages for one object and reason are combined', async () => {
  const other = await client.resource(SERVICES).create('ev', { metadata: { name: 'many' }, spec: { ports: [{ port: 80 }] } });
  const rec = createEventRecorder({ client, component: 'c' });
  for (let i = 0; i < 14; i++) rec.recordEvent(other, 'Normal', 'R', `message ${i}`);
  await rec.flush();
  const evs = await eventsFor('many');
  assert.equal(evs.length, 11);
  const combined = evs.find((e) => e.message?.startsWith('(combined from similar events): '));
  assert.ok(combined);
  assert.equal(combined.count, 4);
  assert.equal(combined.message, '(combined from similar events): message 13');
});

test('the spam filter drops events past the burst until tokens refill', async () => {
  const other = await client.resource(SERVICES).create('ev', { metadata: { name: 'spam' }, spec: { ports: [{ port: 80 }] } });
  let t = 0;
  const rec = createEventRecorder({ client, component: 'c', spamBurst: 3, spamRefillMs: 1000, now: () => new Date(t) });
  for (let i = 0; i < 5; i++) rec.recordEvent(other, 'Normal', 'R', 'same');
  t += 1000;
  rec.recordEvent(other, 'Normal', 'R', 'same');
  await rec.flush();
  const evs = await eventsFor('spam');
  assert.equal(evs.length, 1);
  assert.equal(evs[0]?.count, 4);
});
