import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../errors.js';
import { formatFieldError } from '../field-errors.js';
import { bindPod, validateBinding } from './binding.js';

const binding = (node: string) => ({ metadata: { name: 'p', annotations: { why: 'fit' } }, target: { kind: 'Node', name: node } });

test('binding validation', () => {
  assert.deepEqual(validateBinding(binding('n1')), []);
  assert.deepEqual(validateBinding({ target: { kind: 'Pod', name: '' } }).map(formatFieldError), [
    'target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"',
    'target.name: Required value',
  ]);
});

test('bindPod sets nodeName, annotations and PodScheduled once; a second binding conflicts', () => {
  const pod: Pod = {
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'c' }] },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] },
  };
  bindPod(pod, binding('n1'), '2026-11-21T20:00:00Z');
  assert.equal(pod.spec!.nodeName, 'n1');
  assert.deepEqual(pod.metadata!.annotations, { why: 'fit' });
  assert.deepEqual(pod.status!.conditions, [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-11-21T20:00:00Z' }]);
  assert.throws(
    () => bindPod(pod, binding('n2'), '2026-11-21T20:00:01Z'),
    (e: unknown) => isStatusError(e) && e.code === 409 && e.message === 'Operation cannot be fulfilled on pods/binding "p": pod p is already assigned to node "n1"',
  );
});
