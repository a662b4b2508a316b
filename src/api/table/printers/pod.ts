// Pod rows as kube-apiserver's printPod derives them: READY counts ready running containers
// (plus started sidecar init containers), STATUS walks init containers then containers (last
// one wins) for waiting/terminated reasons, RESTARTS shows "(<age> ago)" of the last restart.
import type { Container, ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../object.js';
import { since } from '../duration.js';
import { ageColumn, col, nameColumn, type Printer, type TableRowCondition } from '../types.js';

const SUCCEEDED: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
const FAILED: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
const NODE_UNREACHABLE = 'NodeLost';

const isSidecar = (c: Container | undefined) => c?.restartPolicy === 'Always';

function lastTerminated(s: ContainerStatus): number {
  const f = s.lastState?.terminated?.finishedAt;
  return f ? Date.parse(f) : 0;
}

function terminatedReason(prefix: string, t: { reason?: string; signal?: number; exitCode: number }): string {
  if (t.reason) return prefix + t.reason;
  return t.signal ? `${prefix}Signal:${t.signal}` : `${prefix}ExitCode:${t.exitCode}`;
}

export const podPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageColumn(),
    col('IP', 'string', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', 1),
    col('Node', 'string', "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename", 1),
    col('Nominated Node', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.', 1),
    col('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates', 1),
  ],
  print(obj: KubeObject, now: Date) {
    const pod = obj as unknown as Pod;
    const spec = pod.spec ?? { containers: [] };
    const status = pod.status ?? {};
    const phase = status.phase ?? '';
    let reason = status.reason || phase;
    for (const c of status.conditions ?? []) if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';

    let restarts = 0;
    let sidecarRestarts = 0;
    let ready = 0;
    let total = (spec.containers ?? []).length;
    let lastRestart = 0;
    let lastSidecarRestart = 0;
    const inits = new Map((spec.initContainers ?? []).map((c) => [c.name, c]));
    for (const c of spec.initContainers ?? []) if (isSidecar(c)) total++;

    let initializing = false;
    const initStatuses = status.initContainerStatuses ?? [];
    for (let i = 0; i < initStatuses.length; i++) {
      const cs = initStatuses[i];
      restarts += cs.restartCount ?? 0;
      lastRestart = Math.max(lastRestart, lastTerminated(cs));
      const sidecar = isSidecar(inits.get(cs.name));
      if (sidecar) {
        sidecarRestarts += cs.restartCount ?? 0;
        lastSidecarRestart = Math.max(lastSidecarRestart, lastTerminated(cs));
      }
      const term = cs.state?.terminated;
      const wait = cs.state?.waiting;
      if (term && term.exitCode === 0) continue;
      if (sidecar && cs.started) {
        if (cs.ready) ready++;
        continue;
      }
      if (term) reason = terminatedReason('Init:', term);
      else if (wait?.reason && wait.reason !== 'PodInitializing') reason = `Init:${wait.reason}`;
      else reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
      initializing = true;
      break;
    }

    const initializedTrue = (status.conditions ?? []).some((c) => c.type === 'Initialized' && c.status === 'True');
    if (!initializing || initializedTrue) {
      restarts = sidecarRestarts;
      lastRestart = lastSidecarRestart;
      let hasRunning = false;
      const statuses = status.containerStatuses ?? [];
      for (let i = statuses.length - 1; i >= 0; i--) {
        const cs = statuses[i];
        restarts += cs.restartCount ?? 0;
        lastRestart = Math.max(lastRestart, lastTerminated(cs));
        const wait = cs.state?.waiting;
        const term = cs.state?.terminated;
        if (wait?.reason) reason = wait.reason;
        else if (term?.reason) reason = term.reason;
        else if (term) reason = terminatedReason('', term);
        else if (cs.ready && cs.state?.running) {
          hasRunning = true;
          ready++;
        }
      }
      if (reason === 'Completed' && hasRunning) {
        const podReady = (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
        reason = podReady ? 'Running' : 'NotReady';
      }
    }

    if (pod.metadata?.deletionTimestamp && status.reason === NODE_UNREACHABLE) reason = 'Unknown';
    else if (pod.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

    let restartsCell = String(restarts);
    if (restarts !== 0 && lastRestart > 0) restartsCell = `${restarts} (${since(new Date(lastRestart).toISOString(), now)} ago)`;

    const podIP = status.podIPs?.[0]?.ip || status.podIP || '<none>';
    let gates = '<none>';
    if (spec.readinessGates?.length) {
      let trueCount = 0;
      for (const g of spec.readinessGates) {
        const c = (status.conditions ?? []).find((x) => x.type === g.conditionType);
        if (c?.status === 'True') trueCount++;
      }
      gates = `${trueCount}/${spec.readinessGates.length}`;
    }
    return {
      cells: [
        pod.metadata?.name ?? '',
        `${ready}/${total}`,
        reason,
        restartsCell,
        since(pod.metadata?.creationTimestamp, now),
        podIP,
        spec.nodeName || '<none>',
        status.nominatedNodeName || '<none>',
        gates,
      ],
      conditions: phase === 'Succeeded' ? SUCCEEDED : phase === 'Failed' ? FAILED : undefined,
    };
  },
};
