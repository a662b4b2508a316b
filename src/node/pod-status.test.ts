import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podPhase, podStatus, type ContainerView, type PodView } from './pod-status.js';

const c = (over: Partial<ContainerView>): ContainerView => ({ name: 'c', image: 'nginx', init: false, restartCount: 0, ready: false, started: false, final: false, ...over });
const view = (containers: ContainerView[]): PodView => ({ hostIP: '10.0.0.2', podIP: '10.244.0.5', startTime: '2026-01-01T00:00:00Z', sandboxReady: true, containers });
const pod = (restartPolicy: 'Always' | 'OnFailure' | 'Never' = 'Always'): Pod => ({
  metadata: { name: 'p' },
  spec: { restartPolicy, containers: [] },
  status: { conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2025-12-31T00:00:00Z' }] },
});
const term = (exitCode: number) => ({ exitCode, reason: exitCode ? 'Error' : 'Completed', startedAt: 't', finishedAt: 't', containerID: 'x' });

test('phase follows the kubelet: Pending before the first start, Running while any runs or restarts, terminal by policy', () => {
  assert.equal(podPhase(pod(), view([c({ waiting: { reason: 'ContainerCreating' } })])), 'Pending');
  assert.equal(podPhase(pod(), view([c({ running: { startedAt: 't' } })])), 'Running');
  assert.equal(podPhase(pod(), view([c({ waiting: { reason: 'CrashLoopBackOff' }, last: term(1), restartCount: 1 })])), 'Running');
  assert.equal(podPhase(pod('Never'), view([c({ terminated: term(0), final: true })])), 'Succeeded');
  assert.equal(podPhase(pod('Never'), view([c({ terminated: term(2), final: true })])), 'Failed');
  assert.equal(podPhase(pod('OnFailure'), view([c({ name: 'i', init: true, terminated: term(0), final: true }), c({ waiting: { reason: 'PodInitializing' } })])), 'Pending');
});

test('conditions name unready containers; PodScheduled is kept', () => {
  const s = podStatus(pod(), view([c({ name: 'a', running: { startedAt: 't' }, ready: true, started: true }), c({ name: 'b', running: { startedAt: 't' }, started: true })]), '2026-01-01T00:00:05Z');
  const by = Object.fromEntries((s.conditions ?? []).map((x) => [x.type, x]));
  assert.equal(by.Ready.status, 'False');
  assert.equal(by.Ready.reason, 'ContainersNotReady');
  assert.equal(by.Ready.message, 'containers with unready status: [b]');
  assert.equal(by.Initialized.status, 'True');
  assert.equal(by.PodScheduled.lastTransitionTime, '2025-12-31T00:00:00Z');
  assert.deepEqual(s.podIPs, [{ ip: '10.244.0.5' }]);
  assert.equal(s.containerStatuses?.[0]?.state?.running?.startedAt, 't');
  assert.deepEqual(s.containerStatuses?.[1]?.lastState, {});
});
