import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Transport } from '../client/index.js';
import { idleGate, writesWhenIdle } from './deferred-writes.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

test('writes wait while work is running; reads do not; the last end releases them in order', async () => {
  const calls: string[] = [];
  const inner = {
    name: 'fake',
    get: async () => (calls.push('get'), {}),
    create: async (_r: unknown, _ns: unknown, obj: { n: string }) => (calls.push(`create ${obj.n}`), obj),
    patch: async () => (calls.push('patch'), {}),
  } as unknown as Transport;
  const gate = idleGate(60_000);
  const t = writesWhenIdle(inner, gate);
  const endA = gate.busy();
  const endB = gate.busy();
  const res = {} as Parameters<Transport['get']>[0];
  const w1 = t.create(res, 'ns', { n: '1' }, {});
  const w2 = t.create(res, 'ns', { n: '2' }, {});
  await t.get(res, 'ns', 'x');
  await tick();
  assert.deepEqual(calls, ['get']);
  endA();
  endA(); // ending twice counts once
  await tick();
  assert.deepEqual(calls, ['get']);
  endB();
  await Promise.all([w1, w2]);
  assert.deepEqual(calls, ['get', 'create 1', 'create 2']);
  await t.patch(res, 'ns', 'x', 'application/merge-patch+json', {}, {});
  assert.deepEqual(calls.at(-1), 'patch');
});

test('a write waits at most the gate longest delay', async () => {
  const inner = { name: 'fake', create: async () => ({}) } as unknown as Transport;
  const gate = idleGate(30);
  gate.busy();
  const keep = setInterval(() => {}, 1000); // the gate's timer does not keep a process alive
  const began = Date.now();
  await writesWhenIdle(inner, gate).create({} as Parameters<Transport['get']>[0], 'ns', {}, {});
  clearInterval(keep);
  assert.ok(Date.now() - began >= 25);
});
