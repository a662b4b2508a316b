// The StatefulSet controller (pkg/controller/statefulset), without ControllerRevision objects
// (not served here): pods <name>-<ordinal> with hostname = pod name and subdomain = serviceName,
// the statefulset.kubernetes.io/pod-name, apps.kubernetes.io/pod-index and controller-revision-hash
// labels; OrderedReady creates ordinal i only when 0..i-1 are Running and Ready and removes the
// highest ordinal first, one at a time; Parallel does both at once; RollingUpdate replaces pods of
// an old revision from the highest ordinal down to the partition, one at a time.
import type { StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { PODS, STATEFULSETS, deletedObject, isAlreadyExists, isNotFound, objectKey, splitKey, type WorkQueue } from '../client/index.js';
import { fromLabelSelectorObject } from '../api/selectors/labels.js';
import { fill, fromContext, queueController, type WorkloadControllerConfig } from './controller-base.js';
import { computeHash, controllerOf, controllerRef, isPodAvailable, isPodReady, msUntilAvailable } from './controller-utils.js';
import { withoutZeros } from './deployment-util.js';
import type { Controller, ControllerDescriptor } from './index.js';
import { podFromTemplate } from './pod-template.js';
import { PODS_BY_CONTROLLER_UID } from './replicaset.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const REVISION_LABEL = 'controller-revision-hash';

export type StatefulSetConfig = WorkloadControllerConfig;

/** The ordinal of a pod named <set>-<n>, or undefined when the name is not the set's. */
export function ordinalOf(setName: string, podName: string): number | undefined {
  if (!podName.startsWith(`${setName}-`)) return undefined;
  const rest = podName.slice(setName.length + 1);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

/** The revision name of the set's current template: <set>-<hash> (as ControllerRevision names). */
export function revisionName(sts: StatefulSet): string {
  // Always with the collision count (0 when unset), so the revision does not move once status records it.
  return `${sts.metadata!.name}-${computeHash(sts.spec?.template, sts.status?.collisionCount ?? 0)}`;
}

const runningAndReady = (p: Pod) => p.status?.phase === 'Running' && isPodReady(p);
const terminating = (p: Pod) => Boolean(p.metadata?.deletionTimestamp);
const finished = (p: Pod) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';

export function createStatefulSetController(config: StatefulSetConfig): Controller {
  const f = fill('statefulset', config);
  const byOwner = (o: Pod) => {
    const r = controllerOf(o);
    return r ? [r.uid] : [];
  };
  const sets = f.factory.informerFor(STATEFULSETS);
  const pods = f.factory.informerFor(PODS, { indexers: { [PODS_BY_CONTROLLER_UID]: byOwner } });
  const stsClient = f.client.resource(STATEFULSETS);
  const podClient = f.client.resource(PODS);

  function ownerOf(p: Pod): StatefulSet | undefined {
    const ref = controllerOf(p);
    if (!ref || ref.kind !== 'StatefulSet') return undefined;
    const s = sets.lister.get(p.metadata?.namespace, ref.name);
    return s?.metadata?.uid === ref.uid ? s : undefined;
  }

  function register(queue: WorkQueue<string>): void {
    sets.addEventHandler({
      onAdd: (s) => queue.add(objectKey(s)),
      onUpdate: (_o, s) => queue.add(objectKey(s)),
      onDelete: (x) => queue.add(objectKey(deletedObject(x))),
    });
    const touch = (p: Pod) => {
      const s = ownerOf(p);
      if (s) queue.add(objectKey(s));
    };
    pods.addEventHandler({ onAdd: touch, onUpdate: (_o, p) => touch(p), onDelete: (x) => touch(deletedObject(x)) });
  }

  function newPod(sts: StatefulSet, ordinal: number, revision: string): Pod {
    const name = `${sts.metadata!.name}-${ordinal}`;
    const pod = podFromTemplate(sts.spec?.template, sts.metadata!.namespace!, controllerRef({ ...sts, apiVersion: 'apps/v1', kind: 'StatefulSet' }), { name });
    pod.metadata!.labels = { ...pod.metadata!.labels, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [REVISION_LABEL]: revision };
    pod.spec = { ...pod.spec!, hostname: name };
    if (sts.spec?.serviceName) pod.spec.subdomain = sts.spec.serviceName;
    return pod;
  }

  function event(sts: StatefulSet, type: 'Normal' | 'Warning', reason: string, message: string): void {
    f.recorder?.recordEvent(sts, type, reason, message);
  }

  async function create(sts: StatefulSet, ordinal: number, revision: string): Promise<void> {
    const pod = newPod(sts, ordinal, revision);
    try {
      await podClient.create(sts.metadata!.namespace, pod);
      event(sts, 'Normal', 'SuccessfulCreate', `create Pod ${pod.metadata!.name} in StatefulSet ${sts.metadata!.name} successful`);
    } catch (e) {
      if (isAlreadyExists(e)) return; // the cache is behind; the next sync sees it
      event(sts, 'Warning', 'FailedCreate', `create Pod ${pod.metadata!.name} in StatefulSet ${sts.metadata!.name} failed error: ${(e as Error).message}`);
      throw e;
    }
  }

  async function remove(sts: StatefulSet, p: Pod): Promise<void> {
    try {
      await podClient.delete(p.metadata!.namespace, p.metadata!.name!, { preconditions: { uid: p.metadata!.uid } });
      event(sts, 'Normal', 'SuccessfulDelete', `delete Pod ${p.metadata!.name} in StatefulSet ${sts.metadata!.name} successful`);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** Pods of this set by ordinal (owned, or orphans with the set's name and labels, which are adopted). */
  async function claim(sts: StatefulSet): Promise<Map<number, Pod>> {
    const out = new Map<number, Pod>();
    const name = sts.metadata!.name!;
    const sel = fromLabelSelectorObject(sts.spec?.selector);
    for (const p of pods.lister.byIndex(PODS_BY_CONTROLLER_UID, sts.metadata!.uid!)) {
      const i = ordinalOf(name, p.metadata!.name!);
      if (i !== undefined && p.metadata?.namespace === sts.metadata!.namespace) out.set(i, p);
    }
    if (sts.metadata?.deletionTimestamp || sel.empty) return out;
    for (const p of pods.lister.list(sts.metadata!.namespace, sel)) {
      const i = ordinalOf(name, p.metadata!.name!);
      if (i === undefined || controllerOf(p) || terminating(p) || out.has(i)) continue;
      try {
        const adopted = await podClient.patch(p.metadata!.namespace, p.metadata!.name!, 'application/merge-patch+json', {
          metadata: { ownerReferences: [...(p.metadata?.ownerReferences ?? []), controllerRef({ ...sts, apiVersion: 'apps/v1', kind: 'StatefulSet' })], uid: p.metadata!.uid, resourceVersion: p.metadata!.resourceVersion },
        });
        out.set(i, adopted);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    return out;
  }

  async function reconcile(key: string) {
    const { namespace, name } = splitKey(key);
    const cached = sets.lister.get(namespace, name);
    if (!cached) return;
    const sts = structuredClone(cached) as StatefulSet;
    const byOrdinal = await claim(sts);
    const updateRevision = revisionName(sts);
    const currentRevision = sts.status?.currentRevision || updateRevision;
    if (!sts.metadata?.deletionTimestamp) await act(sts, byOrdinal, updateRevision);
    return writeStatus(sts, [...byOrdinal.values()], currentRevision, updateRevision);
  }

  /** One step of the set's life (updateStatefulSet): create, delete, replace — ordered or parallel. */
  async function act(sts: StatefulSet, byOrdinal: Map<number, Pod>, updateRevision: string): Promise<void> {
    const start = sts.spec?.ordinals?.start ?? 0;
    const replicas = sts.spec?.replicas ?? 1;
    const parallel = sts.spec?.podManagementPolicy === 'Parallel';
    const wanted: number[] = Array.from({ length: replicas }, (_, i) => start + i);
    const condemned = [...byOrdinal.keys()].filter((i) => i < start || i >= start + replicas).sort((a, b) => b - a);

    // Failed pods are deleted so they are made again.
    for (const i of wanted) {
      const p = byOrdinal.get(i);
      if (p && finished(p) && !terminating(p)) {
        await remove(sts, p);
        if (!parallel) return;
      }
    }
    for (const i of wanted) {
      const p = byOrdinal.get(i);
      if (!p) {
        await create(sts, i, updateRevision);
        if (!parallel) return; // OrderedReady: wait for it to be Running and Ready
        continue;
      }
      if (!parallel && (terminating(p) || !runningAndReady(p))) return;
    }
    for (const i of condemned) {
      const p = byOrdinal.get(i)!;
      if (terminating(p)) {
        if (!parallel) return; // wait for it to go
        continue;
      }
      if (!parallel && wanted.some((w) => !byOrdinal.get(w) || !runningAndReady(byOrdinal.get(w)!))) return;
      await remove(sts, p);
      if (!parallel) return;
    }
    if ((sts.spec?.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return;
    // Rolling update: every pod must be there, Running and Ready; replace the highest outdated one.
    if (wanted.some((i) => !byOrdinal.get(i) || !runningAndReady(byOrdinal.get(i)!) || terminating(byOrdinal.get(i)!))) return;
    const partition = sts.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    for (const i of [...wanted].reverse()) {
      if (i < start + partition) break;
      const p = byOrdinal.get(i)!;
      if (p.metadata?.labels?.[REVISION_LABEL] !== updateRevision) {
        await remove(sts, p);
        return;
      }
    }
  }

  async function writeStatus(sts: StatefulSet, all: Pod[], currentRevision: string, updateRevision: string) {
    const now = f.now();
    const minReady = sts.spec?.minReadySeconds ?? 0;
    const live = all.filter((p) => !terminating(p));
    const status: StatefulSetStatus = {
      observedGeneration: sts.metadata?.generation ?? 0,
      replicas: live.length,
      readyReplicas: live.filter(isPodReady).length,
      availableReplicas: live.filter((p) => isPodAvailable(p, minReady, now)).length,
      currentReplicas: live.filter((p) => p.metadata?.labels?.[REVISION_LABEL] === currentRevision).length,
      updatedReplicas: live.filter((p) => p.metadata?.labels?.[REVISION_LABEL] === updateRevision).length,
      currentRevision,
      updateRevision,
      collisionCount: sts.status?.collisionCount ?? 0,
    };
    // The rollout is done when every replica is at the update revision.
    if (status.updatedReplicas === (sts.spec?.replicas ?? 1) && status.currentRevision !== updateRevision) {
      status.currentRevision = updateRevision;
      status.currentReplicas = status.updatedReplicas;
    }
    const clean = withoutZeros(status, ['replicas', 'collisionCount']);
    const fields = ['observedGeneration', 'replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'currentRevision', 'updateRevision', 'collisionCount', 'availableReplicas'] as const;
    const project = (x: StatefulSetStatus | undefined) => fields.map((k) => x?.[k] ?? 0);
    if (JSON.stringify(project(sts.status)) !== JSON.stringify(project(clean))) {
      try {
        await stsClient.updateStatus(sts.metadata!.namespace, { ...sts, status: { ...clean, conditions: sts.status?.conditions } });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    let wait: number | undefined;
    for (const p of live) {
      const ms = msUntilAvailable(p, minReady, now);
      if (ms !== undefined) wait = Math.min(wait ?? ms, ms);
    }
    return wait !== undefined ? { requeueAfterMs: wait + 50 } : undefined;
  }

  return queueController('statefulset', f, register, reconcile);
}

/** For the controller manager: kube-controller-manager's "statefulset-controller". */
export const statefulSetController: ControllerDescriptor = {
  name: 'statefulset-controller',
  create: (ctx) => createStatefulSetController(fromContext(ctx, 'statefulset-controller')),
};
