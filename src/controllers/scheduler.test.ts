import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { fitErrorMessage, whyNotFits } from './scheduler.js';

const ready = (extra: Partial<Node> = {}): Node => ({ metadata: { name: 'n', labels: { disk: 'ssd' } }, status: { conditions: [{ type: 'Ready', status: 'True' }] }, ...extra });
const pod = (spec: Partial<Pod['spec']> = {}): Pod => ({ spec: { containers: [{ name: 'c' }], ...spec } });

test('filters in the scheduler\'s words', () => {
  assert.equal(whyNotFits(pod(), ready()), undefined);
  assert.equal(whyNotFits(pod(), { ...ready(), status: { conditions: [{ type: 'Ready', status: 'False' }] } }), 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }');
  assert.equal(whyNotFits(pod({ tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }] }), { ...ready(), status: { conditions: [{ type: 'Ready', status: 'False' }] } }), undefined);
  assert.equal(whyNotFits(pod(), ready({ spec: { unschedulable: true } })), 'node(s) were unschedulable');
  assert.equal(whyNotFits(pod({ nodeSelector: { disk: 'hdd' } }), ready()), "node(s) didn't match Pod's node affinity/selector");
  assert.equal(whyNotFits(pod(), ready({ spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } })), 'node(s) had untolerated taint {dedicated: db}');
  assert.equal(whyNotFits(pod(), ready({ spec: { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] } })), undefined);
});

test('FitError text: no nodes, and counted reasons with the preemption summary', () => {
  assert.equal(fitErrorMessage(0, new Map()), 'no nodes available to schedule pods');
  assert.equal(
    fitErrorMessage(3, new Map([['node(s) were unschedulable', 1], ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }', 2]])),
    '0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
  );
});

test('a node reports the first filter it fails: taints before the node selector', () => {
  const notReady: Node = { metadata: { name: 'n', labels: {} }, status: { conditions: [{ type: 'Ready', status: 'False' }] } };
  assert.equal(whyNotFits(pod({ nodeSelector: { disk: 'ssd' } }), notReady), 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }');
});
