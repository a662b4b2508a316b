import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from '../../api/errors.js';
import { createMemoryStore } from '../../store/memory/memory-store.js';
import { silentLogger } from '../../util/log.js';
import { createRegistry } from '../index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../types.js';

test("event: its namespace must be the involved object's", async () => {
  const r = await createRegistry({ store: createMemoryStore(), logger: silentLogger, config: DEFAULT_REGISTRY_CONFIG });
  await r.create('/namespaces', undefined, { metadata: { name: 'ns' } });
  const ev = { metadata: { name: 'e1' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'ns' }, reason: 'Started', type: 'Normal' };
  assert.equal((await r.create('/events', 'ns', ev)).metadata.name, 'e1');
  await assert.rejects(r.create('/events', 'ns', { ...ev, metadata: { name: 'e2' }, involvedObject: { ...ev.involvedObject, namespace: 'other' } }), (e: unknown) =>
    isStatusError(e) && e.message === 'Event "e2" is invalid: involvedObject.namespace: Invalid value: "other": does not match event.namespace',
  );
});
