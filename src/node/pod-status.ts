// The pod status the kubelet reports, computed from the runtime's view of each container:
// phase (kubelet's getPhase), the Initialized/Ready/ContainersReady/PodReadyToStartContainers
// conditions with their reasons and messages, and containerStatuses (and ephemeralContainerStatuses)
// as `kubectl describe` shows them.
import type { ContainerState, ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';

export interface Terminated {
  exitCode: number;
  reason: string;
  signal?: number;
  startedAt: string;
  finishedAt: string;
  containerID: string;
}

export interface ContainerView {
  name: string;
  image: string;
  init: boolean;
  /** An ephemeral container (kubectl debug): never restarted, never ready, not part of the phase. */
  ephemeral?: boolean;
  restartCount: number;
  containerID?: string;
  running?: { startedAt: string };
  waiting?: { reason: string; message?: string };
  terminated?: Terminated;
  last?: Terminated;
  ready: boolean;
  started: boolean;
  /** Will not run again (restart policy). */
  final: boolean;
}

export interface PodView {
  hostIP: string;
  podIP: string;
  startTime: string;
  sandboxReady: boolean;
  containers: ContainerView[];
}

function state(c: ContainerView): ContainerState {
  if (c.running) return { running: { startedAt: c.running.startedAt } };
  if (c.terminated && !c.waiting) return { terminated: c.terminated };
  return { waiting: c.waiting ?? { reason: 'ContainerCreating' } };
}

/** The kubelet writes no `started` for ephemeral containers; they are never ready. */
function ephemeralStatus(c: ContainerView): ContainerStatus {
  const { started: _s, ...rest } = containerStatus(c);
  return { ...rest, ready: false, restartCount: 0 };
}

function containerStatus(c: ContainerView): ContainerStatus {
  return {
    name: c.name,
    image: c.image,
    imageID: '',
    ...(c.containerID ? { containerID: c.containerID } : {}),
    started: c.init ? undefined : c.started,
    ready: c.ready,
    restartCount: c.restartCount,
    state: state(c),
    lastState: c.last ? { terminated: c.last } : {},
  };
}

export function podPhase(pod: Pod, view: PodView): NonNullable<PodStatus['phase']> {
  const inits = view.containers.filter((c) => c.init);
  const regular = view.containers.filter((c) => !c.init && !c.ephemeral);
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const initFailed = inits.some((c) => c.final && c.terminated && c.terminated.exitCode !== 0);
  if (initFailed) return 'Failed';
  if (inits.some((c) => !(c.terminated && c.terminated.exitCode === 0))) return 'Pending';
  const running = regular.filter((c) => c.running).length;
  const neverRan = regular.filter((c) => !c.running && !c.terminated && !c.last).length;
  if (neverRan > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (regular.some((c) => !c.final)) return 'Running'; // restarting or in back-off
  if (policy === 'Always') return 'Running';
  return regular.some((c) => c.terminated && c.terminated.exitCode !== 0) ? 'Failed' : 'Succeeded';
}

export function podStatus(pod: Pod, view: PodView, now: string): PodStatus {
  const phase = podPhase(pod, view);
  const old = pod.status?.conditions ?? [];
  const cond = (type: string, ok: boolean, reason?: string, message?: string): PodCondition => {
    const status = ok ? 'True' : 'False';
    const prev = old.find((c) => c.type === type);
    return {
      type,
      status,
      lastTransitionTime: prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now,
      ...(ok ? {} : { reason, message }),
    };
  };
  const inits = view.containers.filter((c) => c.init);
  const regular = view.containers.filter((c) => !c.init && !c.ephemeral);
  const ephemeral = view.containers.filter((c) => c.ephemeral);
  const notInit = inits.filter((c) => !(c.terminated && c.terminated.exitCode === 0)).map((c) => c.name);
  const notReady = regular.filter((c) => !c.ready).map((c) => c.name);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const containersReady = notReady.length === 0;
  const conditions: PodCondition[] = [
    cond('PodReadyToStartContainers', view.sandboxReady),
    cond('Initialized', notInit.length === 0, 'ContainersNotInitialized', `containers with incomplete status: [${notInit.join(' ')}]`),
    terminal ? cond('Ready', false, 'PodCompleted', '') : cond('Ready', containersReady, 'ContainersNotReady', `containers with unready status: [${notReady.join(' ')}]`),
    terminal ? cond('ContainersReady', false, 'PodCompleted', '') : cond('ContainersReady', containersReady, 'ContainersNotReady', `containers with unready status: [${notReady.join(' ')}]`),
    ...old.filter((c) => c.type === 'PodScheduled'),
  ];
  for (const c of conditions) if (c.message === '') delete c.message;
  return {
    phase,
    conditions,
    hostIP: view.hostIP,
    hostIPs: [{ ip: view.hostIP }],
    ...(view.podIP ? { podIP: view.podIP, podIPs: [{ ip: view.podIP }] } : {}),
    startTime: view.startTime,
    ...(inits.length ? { initContainerStatuses: inits.map(containerStatus) } : {}),
    containerStatuses: regular.map(containerStatus),
    ...(ephemeral.length ? { ephemeralContainerStatuses: ephemeral.map(ephemeralStatus) } : {}),
    qosClass: pod.status?.qosClass,
  };
}
