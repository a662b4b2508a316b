// The scheduler: binds each pending pod without a node to a feasible node through the
// pods/binding subresource, as kube-scheduler's default profile does in its simplest form.
// Feasible = Ready (a NotReady node carries the node.kubernetes.io/not-ready taint in Kubernetes),
// schedulable, matching the pod's nodeSelector, and no untolerated NoSchedule/NoExecute taint.
// Among feasible nodes the least loaded (fewest active pods) wins, ties by name.
import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { NODES, PODS, deletedObject, objectKey, splitKey, isNotFound, isConflict } from '../client/index.js';
import { fill, fromContext, queueController, type WorkloadControllerConfig } from './controller-base.js';
import type { Controller, ControllerDescriptor } from './index.js';
import { errorText, isPodActive, timestamp } from './controller-utils.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/** How a pod is bound to a node: a POST of a Binding to pods/binding. */
export type PodBinder = (namespace: string, name: string, nodeName: string) => Promise<void>;

export interface SchedulerConfig extends WorkloadControllerConfig {
  bind: PodBinder;
  /** Pods with this spec.schedulerName (or none) are ours. */
  schedulerName?: string;
  /**
   * Unschedulable pods are retried at once when a node changes, else after this long (default 5 min,
   * kube-scheduler's podMaxInUnschedulablePodsDuration): no busy retry loop over many pending pods.
   */
  retryMs?: number;
}

export interface Scheduler extends Controller {
  /** Why the last attempt for this pod ("ns/name") failed, for tests and logs. */
  lastFailure(key: string): string | undefined;
}

const NOT_READY_TAINT: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' };
const UNREACHABLE_TAINT: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' };

function tolerates(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (tol.operator === 'Exists') return !tol.key || tol.key === taint.key;
  return tol.key === taint.key && (tol.value ?? '') === (taint.value ?? '');
}

/** Taints the node counts as having, including the condition taints the node lifecycle controller would add. */
function effectiveTaints(node: Node): Taint[] {
  const taints = [...(node.spec?.taints ?? [])];
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status === 'False') taints.push(NOT_READY_TAINT);
  else if (ready?.status !== 'True') taints.push(ready ? UNREACHABLE_TAINT : NOT_READY_TAINT);
  return taints;
}

const taintText = (t: Taint) => `{${t.key}: ${t.value ?? ''}}`;

/** The filter a node fails, in the scheduler's words, or undefined when the pod fits. */
export function whyNotFits(pod: Pod, node: Node): string | undefined {
  if (node.spec?.unschedulable && !(pod.spec?.tolerations ?? []).some((t) => tolerates(t, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }))) {
    return 'node(s) were unschedulable';
  }
  // The default profile's filter order: NodeUnschedulable, TaintToleration, NodeAffinity; a node
  // reports the first filter it fails.
  for (const t of effectiveTaints(node)) {
    if (t.effect !== 'NoSchedule' && t.effect !== 'NoExecute') continue;
    if (!(pod.spec?.tolerations ?? []).some((tol) => tolerates(tol, t))) return `node(s) had untolerated taint ${taintText(t)}`;
  }
  const sel = pod.spec?.nodeSelector ?? {};
  const labels = node.metadata?.labels ?? {};
  if (Object.entries(sel).some(([k, v]) => labels[k] !== v)) return "node(s) didn't match Pod's node affinity/selector";
  return undefined;
}

/**
 * FitError's message: "0/N nodes are available: <count> <reason>, ...", reasons sorted, then the
 * preemption summary the default profile appends.
 */
export function fitErrorMessage(total: number, reasons: Map<string, number>): string {
  // ErrNoNodesAvailable: with no node registered kube-scheduler says this, not a FitError.
  if (total === 0) return 'no nodes available to schedule pods';
  const parts = [...reasons.entries()].map(([r, n]) => `${n} ${r}`).sort();
  return `0/${total} nodes are available: ${parts.join(', ')}. preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`;
}

export function createScheduler(config: SchedulerConfig): Scheduler {
  const f = fill('scheduler', config);
  if (typeof config.bind !== 'function') throw new Error('scheduler: config.bind is required');
  const schedulerName = config.schedulerName ?? DEFAULT_SCHEDULER_NAME;
  const retryMs = config.retryMs ?? 300_000;
  if (!Number.isFinite(retryMs) || retryMs <= 0) throw new Error(`scheduler: retryMs must be positive, got ${retryMs}`);
  const pods = f.factory.informerFor(PODS, { indexers: { 'scheduler:byNode': (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) } });
  const nodes = f.factory.informerFor(NODES);
  const failures = new Map<string, string>();
  /** Bindings sent but not yet seen in the cache: counted as load so a burst spreads. */
  const assumed = new Map<string, string>();

  const ours = (p: Pod) => !p.spec?.nodeName && !p.metadata?.deletionTimestamp && (p.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME) === schedulerName && isPodActive(p);

  function load(node: string): number {
    let n = pods.lister.byIndex('scheduler:byNode', node).filter(isPodActive).length;
    for (const v of assumed.values()) if (v === node) n++;
    return n;
  }

  async function markUnschedulable(pod: Pod, message: string): Promise<void> {
    const key = objectKey(pod);
    if (failures.get(key) === message) return; // told already
    failures.set(key, message);
    f.logger.info('pod unschedulable', { pod: key, reason: message });
    f.recorder?.recordEvent(pod, 'Warning', 'FailedScheduling', message);
    const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null as unknown as string, lastTransitionTime: timestamp(f.now()) });
    try {
      await f.client.resource(PODS).patch(pod.metadata!.namespace, pod.metadata!.name!, 'application/strategic-merge-patch+json', { status: { conditions } }, { subresource: 'status' });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  const ctl = queueController(
    'scheduler',
    f,
    (queue) => {
      pods.addEventHandler({
        onAdd: (p) => {
          if (ours(p)) queue.add(objectKey(p));
        },
        onUpdate: (_o, p) => {
          if (p.spec?.nodeName) assumed.delete(objectKey(p));
          if (ours(p)) queue.add(objectKey(p));
        },
        onDelete: (x) => {
          const key = objectKey(deletedObject(x));
          assumed.delete(key);
          failures.delete(key);
        },
      });
      // A node that appears, turns Ready or changes may fit pods that did not fit before.
      const retryAll = () => {
        for (const p of pods.lister.list()) if (ours(p)) queue.add(objectKey(p));
      };
      nodes.addEventHandler({ onAdd: retryAll, onUpdate: retryAll, onDelete: () => {} });
    },
    async (key) => {
      const { namespace, name } = splitKey(key);
      const pod = pods.lister.get(namespace, name);
      if (!pod || !ours(pod) || assumed.has(key)) return;
      const all = nodes.lister.list();
      const reasons = new Map<string, number>();
      let best: { name: string; load: number } | undefined;
      for (const node of all) {
        const why = whyNotFits(pod, node);
        if (why) {
          reasons.set(why, (reasons.get(why) ?? 0) + 1);
          continue;
        }
        const nodeName = node.metadata?.name ?? '';
        const l = load(nodeName);
        if (!best || l < best.load || (l === best.load && nodeName < best.name)) best = { name: nodeName, load: l };
      }
      if (!best) {
        await markUnschedulable(pod, fitErrorMessage(all.length, reasons));
        return { requeueAfterMs: retryMs };
      }
      assumed.set(key, best.name);
      try {
        await config.bind(namespace ?? 'default', name, best.name);
      } catch (e) {
        assumed.delete(key);
        if (isNotFound(e)) return;
        // 409: already bound (by us, before the cache caught up) or being deleted: nothing to do.
        if (isConflict(e)) return;
        f.logger.warn('binding failed', { pod: key, node: best.name, err: errorText(e) });
        throw e;
      }
      failures.delete(key);
      f.logger.debug('pod bound', { pod: key, node: best.name });
      f.recorder?.recordEvent(pod, 'Normal', 'Scheduled', `Successfully assigned ${key} to ${best.name}`);
      // If the binding's event never reaches the cache (pod deleted meanwhile), forget the assumption.
      setTimeout(() => assumed.delete(key), 30_000).unref();
    },
  );
  return { ...ctl, lastFailure: (key) => failures.get(key) };
}

/**
 * For the controller manager (kube-scheduler is its own binary in Kubernetes; here it runs with
 * the controllers). The binder comes from ControllersConfig.bindPod (in-process:
 * `registryBinder(registry)` from scheduler-binding.ts), as the typed client has no verb for
 * pods/binding; without one the scheduler says so once and binds nothing.
 */
export const schedulerController: ControllerDescriptor = {
  name: 'scheduler',
  create(ctx) {
    if (ctx.bindPod) return createScheduler({ ...fromContext(ctx, DEFAULT_SCHEDULER_NAME), bind: ctx.bindPod });
    return {
      run: () => ctx.logger.warn('scheduler idle: no pod binder configured (ControllersConfig.bindPod); pods stay Pending'),
      stop: async () => {},
    };
  },
};
