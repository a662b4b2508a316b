// Trigger times as the upstream TriggerTimeTracker: the oldest unreflected change, RFC3339Nano.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { formatTriggerTime, TriggerTimeTracker } from './endpoints-trigger-time.js';

const svc: Service = { metadata: { name: 's', namespace: 'd', creationTimestamp: '2026-01-01T00:00:10Z' } };
const pod = (name: string, at: string): Pod => ({ metadata: { name }, status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at }] } });

test('RFC3339Nano: no fraction for whole seconds, no trailing zeros otherwise', () => {
  assert.equal(formatTriggerTime(Date.parse('2026-01-01T00:00:10Z')), '2026-01-01T00:00:10Z');
  assert.equal(formatTriggerTime(Date.parse('2026-01-01T00:00:10.500Z')), '2026-01-01T00:00:10.5Z');
});

test('first sync: the oldest of the Service creation and pod transitions; then only changes count', () => {
  const t = new TriggerTimeTracker();
  const a = pod('a', '2026-01-01T00:00:20Z');
  const b = pod('b', '2026-01-01T00:00:05Z');
  assert.equal(t.compute('d/s', svc, [a, b]), Date.parse('2026-01-01T00:00:05Z'));
  assert.equal(t.compute('d/s', svc, [a, b]), 0, 'nothing changed');
  const a2 = pod('a', '2026-01-01T00:01:00Z');
  const c = pod('c', '2026-01-01T00:00:50Z');
  assert.equal(t.compute('d/s', svc, [a2, b, c]), Date.parse('2026-01-01T00:00:50Z'));
  t.forget('d/s');
  assert.equal(t.compute('d/s', svc, []), Date.parse('2026-01-01T00:00:10Z'));
});
