// The ReplicaSet controller (pkg/controller/replicaset): keeps spec.replicas active pods that
// match the selector, adopting orphans and releasing pods that no longer match; creates in
// slow-start batches (1, 2, 4, ...) and deletes the least valuable pods first; writes status.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet, ReplicaSetCondition } from 'kubernetes-types/apps/v1.js';
import { PODS, REPLICASETS, deletedObject, isNotFound, objectKey, splitKey, type WorkQueue } from '../client/index.js';
import { fromLabelSelectorObject } from '../api/selectors/labels.js';
import { fill, fromContext, queueController, type WorkloadControllerConfig } from './controller-base.js';
import type { Controller, ControllerDescriptor } from './index.js';
import { Expectations, controllerOf, controllerRef, errorText, isPodActive, isPodAvailable, isPodReady, msUntilAvailable, timestamp } from './controller-utils.js';
import { compareForDeletion, podFromTemplate } from './pod-template.js';

/** At most this many creates or deletes per sync (BurstReplicas). */
const BURST_REPLICAS = 500;
/** Pod index shared with the other workload controllers: the uid of the pod's controller. */
export const PODS_BY_CONTROLLER_UID = 'workloads:byControllerUid';

const COUNTS = ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'] as const;

/** Status equality over what this controller writes (absent counts are 0). */
function sameStatus(a: ReplicaSet['status'], b: NonNullable<ReplicaSet['status']>): boolean {
  return COUNTS.every((k) => (a?.[k] ?? 0) === (b[k] ?? 0)) && JSON.stringify(a?.conditions ?? []) === JSON.stringify(b.conditions ?? []);
}

export type ReplicaSetConfig = WorkloadControllerConfig;

export function createReplicaSetController(config: ReplicaSetConfig): Controller {
  const f = fill('replicaset', config);
  const pods = f.factory.informerFor(PODS, { indexers: { [PODS_BY_CONTROLLER_UID]: (p) => { const r = controllerOf(p); return r ? [r.uid] : []; } } });
  const sets = f.factory.informerFor(REPLICASETS);
  const expectations = new Expectations();
  const rsClient = f.client.resource(REPLICASETS);
  const podClient = f.client.resource(PODS);

  /** The ReplicaSet controlling `pod` per the cache (kind, name and uid must all match). */
  function ownerOf(pod: Pod): ReplicaSet | undefined {
    const ref = controllerOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return undefined;
    const rs = sets.lister.get(pod.metadata?.namespace, ref.name);
    return rs?.metadata?.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets in the pod's namespace whose selector matches it: candidates to adopt an orphan. */
  function matching(pod: Pod): ReplicaSet[] {
    return sets.lister.list(pod.metadata?.namespace).filter((rs) => {
      try {
        const sel = fromLabelSelectorObject(rs.spec?.selector);
        return !sel.empty && sel.matches(pod.metadata?.labels);
      } catch {
        return false;
      }
    });
  }

  function register(queue: WorkQueue<string>): void {
    sets.addEventHandler({
      onAdd: (rs) => queue.add(objectKey(rs)),
      onUpdate: (_o, rs) => queue.add(objectKey(rs)),
      onDelete: (x) => {
        const key = objectKey(deletedObject(x));
        expectations.delete(key);
        queue.add(key);
      },
    });
    const touch = (pod: Pod) => {
      const rs = ownerOf(pod);
      if (rs) queue.add(objectKey(rs));
      else if (!controllerOf(pod)) for (const m of matching(pod)) queue.add(objectKey(m));
    };
    pods.addEventHandler({
      onAdd: (pod) => {
        const rs = ownerOf(pod);
        if (rs) expectations.creationObserved(objectKey(rs));
        if (pod.metadata?.deletionTimestamp && rs) expectations.deletionObserved(objectKey(rs));
        touch(pod);
      },
      onUpdate: (old, pod) => {
        const rs = ownerOf(pod);
        if (rs && pod.metadata?.deletionTimestamp && !old.metadata?.deletionTimestamp) expectations.deletionObserved(objectKey(rs));
        const oldRef = controllerOf(old);
        if (oldRef && oldRef.uid !== controllerOf(pod)?.uid) touch(old);
        touch(pod);
      },
      onDelete: (x) => {
        const pod = deletedObject(x);
        const rs = ownerOf(pod);
        if (rs && !pod.metadata?.deletionTimestamp) expectations.deletionObserved(objectKey(rs));
        touch(pod);
      },
    });
  }

  /** Adopts matching orphans and releases owned pods that stopped matching (ClaimPods). */
  async function claimPods(rs: ReplicaSet): Promise<Pod[]> {
    const ns = rs.metadata!.namespace!;
    const uid = rs.metadata!.uid!;
    const sel = fromLabelSelectorObject(rs.spec?.selector);
    const owned: Pod[] = [];
    const candidates = new Map<string, Pod>();
    for (const p of pods.lister.byIndex(PODS_BY_CONTROLLER_UID, uid)) candidates.set(p.metadata!.name!, p);
    if (!rs.metadata?.deletionTimestamp) for (const p of pods.lister.list(ns, sel)) if (!controllerOf(p)) candidates.set(p.metadata!.name!, p);
    for (const p of candidates.values()) {
      if (p.metadata?.namespace !== ns) continue;
      const ref = controllerOf(p);
      const matches = !sel.empty && sel.matches(p.metadata?.labels);
      if (ref?.uid === uid) {
        if (matches) owned.push(p);
        else if (!p.metadata?.deletionTimestamp) await setOwners(p, (p.metadata?.ownerReferences ?? []).filter((r) => r.uid !== uid), 'release');
        continue;
      }
      if (!ref && matches && !p.metadata?.deletionTimestamp) {
        const adopted = await setOwners(p, [...(p.metadata?.ownerReferences ?? []), controllerRef({ ...rs, apiVersion: 'apps/v1', kind: 'ReplicaSet' })], 'adopt');
        if (adopted) owned.push(adopted);
      }
    }
    return owned;
  }

  async function setOwners(p: Pod, refs: NonNullable<Pod['metadata']>['ownerReferences'], why: string): Promise<Pod | undefined> {
    try {
      // The uid guards against patching a same-named successor of the pod we looked at.
      return await podClient.patch(p.metadata!.namespace, p.metadata!.name!, 'application/merge-patch+json', {
        metadata: { ownerReferences: refs, uid: p.metadata!.uid, resourceVersion: p.metadata!.resourceVersion },
      });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      f.logger.warn(`could not ${why} pod`, { pod: objectKey(p), err: errorText(e) });
      throw e;
    }
  }

  async function createPods(rs: ReplicaSet, n: number): Promise<Error | undefined> {
    const key = objectKey(rs);
    expectations.expect(key, n, 0);
    const owner = controllerRef({ ...rs, apiVersion: 'apps/v1', kind: 'ReplicaSet' });
    let left = n;
    for (let batch = 1; left > 0; batch = Math.min(batch * 2, left)) {
      const size = Math.min(batch, left);
      const results = await Promise.allSettled(
        Array.from({ length: size }, () => podClient.create(rs.metadata!.namespace, podFromTemplate(rs.spec?.template, rs.metadata!.namespace!, owner, { generateName: `${rs.metadata!.name}-` }))),
      );
      for (const r of results) {
        if (r.status === 'fulfilled') f.recorder?.recordEvent(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.metadata?.name}`);
        else f.recorder?.recordEvent(rs, 'Warning', 'FailedCreate', `Error creating: ${errorText(r.reason)}`);
      }
      left -= size;
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      for (let i = 0; i < failed.length; i++) expectations.creationObserved(key);
      if (failed.length) {
        // Skip the rest of the slow start: the pods never created will not be observed either.
        for (let i = 0; i < left; i++) expectations.creationObserved(key);
        return failed[0]!.reason instanceof Error ? failed[0]!.reason : new Error(String(failed[0]!.reason));
      }
    }
    return undefined;
  }

  async function deletePods(rs: ReplicaSet, victims: Pod[]): Promise<Error | undefined> {
    const key = objectKey(rs);
    expectations.expect(key, 0, victims.length);
    const results = await Promise.allSettled(victims.map((p) => podClient.delete(p.metadata!.namespace, p.metadata!.name!, { preconditions: { uid: p.metadata!.uid } })));
    let err: Error | undefined;
    for (const [i, r] of results.entries()) {
      if (r.status === 'fulfilled') {
        f.recorder?.recordEvent(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${victims[i]!.metadata?.name}`);
        continue;
      }
      f.recorder?.recordEvent(rs, 'Warning', 'FailedDelete', `Error deleting: ${errorText(r.reason)}`);
      expectations.deletionObserved(key);
      if (!isNotFound(r.reason)) err ??= r.reason instanceof Error ? r.reason : new Error(String(r.reason));
    }
    return err;
  }

  async function reconcile(key: string) {
    const { namespace, name } = splitKey(key);
    const cached = sets.lister.get(namespace, name);
    if (!cached) {
      expectations.delete(key);
      return;
    }
    const rs = structuredClone(cached) as ReplicaSet;
    const needsSync = expectations.satisfied(key);
    const owned = (await claimPods(rs)).filter(isPodActive);
    let manageErr: Error | undefined;
    if (needsSync && !rs.metadata?.deletionTimestamp) {
      const want = rs.spec?.replicas ?? 1;
      const diff = owned.length - want;
      if (diff < 0) {
        manageErr = await createPods(rs, Math.min(-diff, BURST_REPLICAS));
      } else if (diff > 0) {
        const victims = [...owned].sort(compareForDeletion).slice(0, Math.min(diff, BURST_REPLICAS));
        manageErr = await deletePods(rs, victims);
      }
    }
    const requeue = await writeStatus(rs, owned, manageErr);
    if (manageErr) throw manageErr;
    return requeue;
  }

  async function writeStatus(rs: ReplicaSet, owned: Pod[], manageErr: Error | undefined) {
    const now = f.now();
    const minReady = rs.spec?.minReadySeconds ?? 0;
    const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
    const status: NonNullable<ReplicaSet['status']> = {
      replicas: owned.length,
      fullyLabeledReplicas: owned.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata?.labels?.[k] === v)).length,
      readyReplicas: owned.filter(isPodReady).length,
      availableReplicas: owned.filter((p) => isPodAvailable(p, minReady, now)).length,
      observedGeneration: rs.metadata?.generation ?? 0,
    };
    const conditions: ReplicaSetCondition[] = (rs.status?.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure');
    const failure = rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
    if (manageErr) {
      const reason = owned.length < (rs.spec?.replicas ?? 1) ? 'FailedCreate' : 'FailedDelete';
      const keep = failure && failure.reason === reason && failure.message === manageErr.message;
      conditions.push(keep ? failure : { type: 'ReplicaFailure', status: 'True', reason, message: manageErr.message, lastTransitionTime: timestamp(now) });
    }
    if (conditions.length) status.conditions = conditions;
    if (!sameStatus(rs.status, status)) {
      try {
        await rsClient.updateStatus(rs.metadata!.namespace, { ...rs, status });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    // Come back when a ready pod turns available (minReadySeconds), as the real controller does.
    let wait: number | undefined;
    for (const p of owned) {
      const ms = msUntilAvailable(p, minReady, now);
      if (ms !== undefined) wait = Math.min(wait ?? ms, ms);
    }
    return wait !== undefined ? { requeueAfterMs: wait + 50 } : undefined;
  }

  return queueController('replicaset', f, register, reconcile);
}

/** For the controller manager: kube-controller-manager's "replicaset-controller". */
export const replicaSetController: ControllerDescriptor = {
  name: 'replicaset-controller',
  create: (ctx) => createReplicaSetController(fromContext(ctx, 'replicaset-controller')),
};
