// The Deployment controller (pkg/controller/deployment): owns ReplicaSets named
// <deployment>-<pod-template-hash>, one per template revision; rolls from old to new by the
// RollingUpdate fenceposts or Recreate, handles scaling (proportionally during a rollout),
// trims history to revisionHistoryLimit, and writes status and the Available/Progressing
// conditions that `kubectl get deploy` and `kubectl rollout status` read.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { DEPLOYMENTS, PODS, REPLICASETS, deletedObject, isAlreadyExists, isNotFound, objectKey, splitKey, type WorkQueue } from '../client/index.js';
import { fromLabelSelectorObject } from '../api/selectors/labels.js';
import { fill, fromContext, queueController, type WorkloadControllerConfig } from './controller-base.js';
import { computeHash, controllerOf, controllerRef, equalIgnoreHash, errorText } from './controller-utils.js';
import {
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  calculateStatus,
  copiedAnnotations,
  deploymentReplicas,
  isComplete,
  isProgressing,
  isRollingUpdate,
  maxSurge,
  newRSNewReplicas,
  olderFirst,
  planOldScaleDown,
  planProportionalScale,
  progressDeadlineLeftMs,
  revisionOf,
  setCondition,
  specReplicas,
  withoutZeros,
} from './deployment-util.js';
import type { Controller, ControllerDescriptor } from './index.js';
import { PODS_BY_CONTROLLER_UID } from './replicaset.js';

export const RS_BY_CONTROLLER_UID = 'workloads:rsByControllerUid';

export type DeploymentConfig = WorkloadControllerConfig;

export function createDeploymentController(config: DeploymentConfig): Controller {
  const f = fill('deployment', config);
  const byOwner = (o: { metadata?: { ownerReferences?: { controller?: boolean; uid: string }[] } }) => {
    const r = o.metadata?.ownerReferences?.find((x) => x.controller === true);
    return r ? [r.uid] : [];
  };
  const deployments = f.factory.informerFor(DEPLOYMENTS);
  const sets = f.factory.informerFor(REPLICASETS, { indexers: { [RS_BY_CONTROLLER_UID]: byOwner } });
  const pods = f.factory.informerFor(PODS, { indexers: { [PODS_BY_CONTROLLER_UID]: byOwner } });
  const dClient = f.client.resource(DEPLOYMENTS);
  const rsClient = f.client.resource(REPLICASETS);

  function ownerOf(rs: ReplicaSet): Deployment | undefined {
    const ref = controllerOf(rs);
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = deployments.lister.get(rs.metadata?.namespace, ref.name);
    return d?.metadata?.uid === ref.uid ? d : undefined;
  }

  function register(queue: WorkQueue<string>): void {
    deployments.addEventHandler({
      onAdd: (d) => queue.add(objectKey(d)),
      onUpdate: (_o, d) => queue.add(objectKey(d)),
      onDelete: (x) => queue.add(objectKey(deletedObject(x))),
    });
    const touch = (rs: ReplicaSet) => {
      const d = ownerOf(rs);
      if (d) return queue.add(objectKey(d));
      if (controllerOf(rs)) return;
      for (const d2 of deployments.lister.list(rs.metadata?.namespace)) {
        try {
          const sel = fromLabelSelectorObject(d2.spec?.selector);
          if (!sel.empty && sel.matches(rs.metadata?.labels)) queue.add(objectKey(d2));
        } catch {
          // an invalid selector adopts nothing
        }
      }
    };
    sets.addEventHandler({ onAdd: touch, onUpdate: (_o, rs) => touch(rs), onDelete: (x) => touch(deletedObject(x)) });
    // Recreate waits for old pods to go: their deletion must wake the Deployment.
    pods.addEventHandler({
      onAdd: () => {},
      onUpdate: () => {},
      onDelete: (x) => {
        const ref = controllerOf(deletedObject(x));
        if (ref?.kind !== 'ReplicaSet') return;
        const rs = sets.lister.get(deletedObject(x).metadata?.namespace, ref.name);
        if (rs) touch(rs);
      },
    });
  }

  /** ReplicaSets this Deployment controls, adopting matching orphans and releasing mismatches. */
  async function claimReplicaSets(d: Deployment): Promise<ReplicaSet[]> {
    const uid = d.metadata!.uid!;
    const ns = d.metadata!.namespace!;
    const sel = fromLabelSelectorObject(d.spec?.selector);
    const out: ReplicaSet[] = [];
    for (const rs of sets.lister.byIndex(RS_BY_CONTROLLER_UID, uid)) {
      if (rs.metadata?.namespace !== ns) continue;
      if (!sel.empty && sel.matches(rs.metadata?.labels)) {
        out.push(rs);
      } else if (!rs.metadata?.deletionTimestamp) {
        await patchOwners(rs, (rs.metadata?.ownerReferences ?? []).filter((r) => r.uid !== uid));
      }
    }
    if (!d.metadata?.deletionTimestamp && !sel.empty) {
      for (const rs of sets.lister.list(ns, sel)) {
        if (controllerOf(rs) || rs.metadata?.deletionTimestamp) continue;
        const adopted = await patchOwners(rs, [...(rs.metadata?.ownerReferences ?? []), controllerRef({ ...d, apiVersion: 'apps/v1', kind: 'Deployment' })]);
        if (adopted) out.push(adopted);
      }
    }
    return out;
  }

  async function patchOwners(rs: ReplicaSet, refs: NonNullable<ReplicaSet['metadata']>['ownerReferences']): Promise<ReplicaSet | undefined> {
    try {
      return await rsClient.patch(rs.metadata!.namespace, rs.metadata!.name!, 'application/merge-patch+json', {
        metadata: { ownerReferences: refs, uid: rs.metadata!.uid, resourceVersion: rs.metadata!.resourceVersion },
      });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  function event(d: Deployment, reason: string, message: string): void {
    f.recorder?.recordEvent(d, 'Normal', reason, message);
  }

  /** Scales a ReplicaSet and stamps the desired/max replica annotations (scaleReplicaSet). */
  async function scaleRS(d: Deployment, rs: ReplicaSet, to: number): Promise<ReplicaSet> {
    const from = specReplicas(rs);
    const ann = { ...rs.metadata?.annotations };
    const desired = String(deploymentReplicas(d));
    const max = String(deploymentReplicas(d) + maxSurge(d));
    if (from === to && ann[DESIRED_REPLICAS_ANNOTATION] === desired && ann[MAX_REPLICAS_ANNOTATION] === max) return rs;
    ann[DESIRED_REPLICAS_ANNOTATION] = desired;
    ann[MAX_REPLICAS_ANNOTATION] = max;
    const next = structuredClone(rs);
    next.metadata = { ...next.metadata, annotations: ann };
    next.spec = { ...next.spec!, replicas: to };
    const written = await rsClient.update(rs.metadata!.namespace, next);
    if (from !== to) {
      event(d, 'ScalingReplicaSet', `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata!.name} from ${from} to ${to}`);
      f.logger.info('scaled replica set', { deployment: objectKey(d), replicaSet: rs.metadata!.name, from, to });
    }
    return written;
  }

  interface Sets {
    newRS?: ReplicaSet;
    oldRSs: ReplicaSet[];
    all: ReplicaSet[];
  }

  /** getAllReplicaSetsAndSyncRevision: finds the new ReplicaSet (if any) and bumps its revision. */
  async function replicaSets(d: Deployment, owned: ReplicaSet[]): Promise<Sets> {
    const byAge = [...owned].sort(olderFirst);
    const existing = byAge.find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
    const oldRSs = byAge.filter((rs) => rs !== existing);
    const newRevision = String(Math.max(0, ...oldRSs.map(revisionOf)) + 1);
    let newRS: ReplicaSet | undefined;
    if (existing) {
      newRS = existing;
      if (d.spec?.progressDeadlineSeconds !== undefined && !d.status?.conditions?.some((c) => c.type === 'Progressing')) {
        const status = structuredClone(d.status ?? {});
        setCondition(status, { type: 'Progressing', status: 'True', reason: 'FoundNewReplicaSet', message: `Found new replica set "${existing.metadata!.name}"` }, f.now());
        d.status = status;
      }
      const ann = { ...existing.metadata?.annotations, ...copiedAnnotations(d) };
      if (revisionOf(existing) < Number(newRevision)) {
        // A template rolled back to: its old revision number joins the history annotation.
        const old = existing.metadata?.annotations?.[REVISION_ANNOTATION];
        if (old) ann[REVISION_HISTORY_ANNOTATION] = ann[REVISION_HISTORY_ANNOTATION] ? `${ann[REVISION_HISTORY_ANNOTATION]},${old}` : old;
        ann[REVISION_ANNOTATION] = newRevision;
      }
      if (JSON.stringify(ann) !== JSON.stringify(existing.metadata?.annotations ?? {}) || (existing.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0)) {
        const next = structuredClone(existing);
        next.metadata = { ...next.metadata, annotations: ann };
        next.spec = { ...next.spec!, minReadySeconds: d.spec?.minReadySeconds ?? 0 };
        newRS = await rsClient.update(existing.metadata!.namespace, next);
      }
    }
    if (newRS) await setDeploymentRevision(d, newRS.metadata?.annotations?.[REVISION_ANNOTATION] ?? newRevision);
    const all = newRS ? [...oldRSs, newRS] : oldRSs;
    return { newRS, oldRSs, all };
  }

  async function setDeploymentRevision(d: Deployment, rev: string): Promise<void> {
    if (d.metadata?.annotations?.[REVISION_ANNOTATION] === rev) return;
    const written = await dClient.patch(d.metadata!.namespace, d.metadata!.name!, 'application/merge-patch+json', {
      metadata: { annotations: { [REVISION_ANNOTATION]: rev } },
    });
    d.metadata = { ...d.metadata, annotations: written.metadata?.annotations, resourceVersion: written.metadata?.resourceVersion };
  }

  async function createNewRS(d: Deployment, oldRSs: ReplicaSet[], revision: string): Promise<ReplicaSet> {
    const collisionCount = d.status?.collisionCount;
    const hash = computeHash(d.spec?.template, collisionCount);
    const template = structuredClone(d.spec?.template ?? {});
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash } };
    const selector = structuredClone(d.spec!.selector);
    selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash };
    const name = `${d.metadata!.name}-${hash}`;
    const replicas = newRSNewReplicas(d, oldRSs, undefined);
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: d.metadata!.namespace,
        labels: template.metadata.labels,
        annotations: {
          ...copiedAnnotations(d),
          [REVISION_ANNOTATION]: revision,
          [DESIRED_REPLICAS_ANNOTATION]: String(deploymentReplicas(d)),
          [MAX_REPLICAS_ANNOTATION]: String(deploymentReplicas(d) + maxSurge(d)),
        },
        ownerReferences: [controllerRef({ ...d, apiVersion: 'apps/v1', kind: 'Deployment' })],
      },
      spec: { replicas, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
    try {
      const created = await rsClient.create(d.metadata!.namespace, rs);
      f.logger.info('created replica set', { deployment: objectKey(d), replicaSet: name, replicas });
      if (replicas > 0) event(d, 'ScalingReplicaSet', `Scaled up replica set ${name} from 0 to ${replicas}`);
      const status = structuredClone(d.status ?? {});
      setCondition(status, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "${name}"` }, f.now());
      d.status = status;
      await writeStatus(d, status);
      return created;
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      // Same name: ours with the same template is the new ReplicaSet (a stale cache); anything
      // else is a hash collision, resolved by bumping collisionCount and trying again.
      const found = await rsClient.get(d.metadata!.namespace, name);
      if (controllerOf(found)?.uid === d.metadata?.uid && equalIgnoreHash(found.spec?.template, d.spec?.template)) return found;
      const status = { ...d.status, collisionCount: (collisionCount ?? 0) + 1 };
      await writeStatus(d, status);
      throw new Error(`hash collision for replica set ${name}: collisionCount now ${status.collisionCount}`);
    }
  }

  async function writeStatus(d: Deployment, status: NonNullable<Deployment['status']>): Promise<void> {
    const clean = withoutZeros(status);
    if (JSON.stringify(withoutZeros(d.status ?? {})) === JSON.stringify(clean)) return;
    try {
      const written = await dClient.updateStatus(d.metadata!.namespace, { ...d, status: clean });
      d.metadata = { ...d.metadata, resourceVersion: written.metadata?.resourceVersion };
      d.status = written.status;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** syncRolloutStatus: counts, Available and Progressing; returns when to look again. */
  async function syncRolloutStatus(d: Deployment, s: Sets) {
    const now = f.now();
    const status = calculateStatus(d, s.all, s.newRS, now);
    const rsName = s.newRS?.metadata?.name;
    // checkPausedConditions: a paused Deployment cannot time out; resuming restarts the clock.
    const progressing = status.conditions?.find((c) => c.type === 'Progressing');
    if (d.spec?.paused && progressing?.reason !== 'DeploymentPaused') {
      setCondition(status, { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' }, now);
    } else if (!d.spec?.paused && progressing?.reason === 'DeploymentPaused') {
      setCondition(status, { type: 'Progressing', status: 'Unknown', reason: 'DeploymentResumed', message: 'Deployment is resumed' }, now);
    }
    if (d.spec?.progressDeadlineSeconds !== undefined && !d.spec.paused) {
      const cur = status.conditions?.find((c) => c.type === 'Progressing');
      if (isComplete(d, status)) {
        if (rsName) setCondition(status, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` }, now);
      } else if (isProgressing(d, status)) {
        const message = rsName ? `ReplicaSet "${rsName}" is progressing.` : 'Deployment is progressing.';
        // A Progressing=True condition moves its lastUpdateTime on every step forward.
        if (cur?.status === 'True' && cur.reason === 'ReplicaSetUpdated' && cur.message === message) {
          status.conditions = status.conditions!.map((c) => (c.type === 'Progressing' ? { ...c, lastUpdateTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z') } : c));
        } else {
          setCondition(status, { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message }, now);
        }
      } else {
        const left = progressDeadlineLeftMs(d, status, now);
        if (left !== undefined && left <= 0) {
          const message = rsName ? `ReplicaSet "${rsName}" has timed out progressing.` : `Deployment "${d.metadata!.name}" has timed out progressing.`;
          setCondition(status, { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message }, now);
        }
      }
    }
    await writeStatus(d, status);
    const left = isComplete(d, status) ? undefined : progressDeadlineLeftMs(d, status, now);
    return left !== undefined && left > 0 ? { requeueAfterMs: left + 1000 } : undefined;
  }

  /** Scaling while not rolling (DeploymentController.scale). */
  async function scale(d: Deployment, s: Sets): Promise<void> {
    const active = s.all.filter((rs) => specReplicas(rs) > 0);
    const one = active.length === 0 ? (s.newRS ?? [...s.oldRSs].sort(olderFirst).at(-1)) : active.length === 1 ? active[0] : undefined;
    if (one) {
      if (specReplicas(one) !== deploymentReplicas(d)) await scaleRS(d, one, deploymentReplicas(d));
      return;
    }
    const saturated =
      s.newRS &&
      specReplicas(s.newRS) === deploymentReplicas(d) &&
      s.newRS.metadata?.annotations?.[DESIRED_REPLICAS_ANNOTATION] === String(deploymentReplicas(d)) &&
      (s.newRS.status?.availableReplicas ?? 0) === deploymentReplicas(d);
    if (saturated) {
      for (const rs of s.oldRSs) if (specReplicas(rs) > 0) await scaleRS(d, rs, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const plan = planProportionalScale(d, active);
    for (const rs of active) {
      const to = plan.get(rs.metadata!.name!);
      if (to !== undefined && to !== specReplicas(rs)) await scaleRS(d, rs, to);
    }
  }

  /** A scale happened if an active ReplicaSet was sized for another replica count (isScalingEvent). */
  function isScalingEvent(d: Deployment, s: Sets): boolean {
    return s.all.some((rs) => specReplicas(rs) > 0 && rs.metadata?.annotations?.[DESIRED_REPLICAS_ANNOTATION] !== undefined && rs.metadata.annotations[DESIRED_REPLICAS_ANNOTATION] !== String(deploymentReplicas(d)));
  }

  async function cleanup(d: Deployment, s: Sets): Promise<void> {
    const limit = d.spec?.revisionHistoryLimit ?? 10;
    const dead = s.oldRSs.filter((rs) => specReplicas(rs) === 0 && (rs.status?.replicas ?? 0) === 0 && !rs.metadata?.deletionTimestamp);
    if (dead.length <= limit) return;
    dead.sort((a, b) => revisionOf(a) - revisionOf(b) || olderFirst(a, b));
    for (const rs of dead.slice(0, dead.length - limit)) {
      try {
        await rsClient.delete(rs.metadata!.namespace, rs.metadata!.name!, { preconditions: { uid: rs.metadata!.uid } });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  /** The new ReplicaSet created when missing. */
  async function withNewRS(d: Deployment, s: Sets): Promise<Sets & { newRS: ReplicaSet }> {
    if (s.newRS) return s as Sets & { newRS: ReplicaSet };
    const revision = String(Math.max(0, ...s.oldRSs.map(revisionOf)) + 1);
    const newRS = await createNewRS(d, s.oldRSs, revision);
    await setDeploymentRevision(d, revision);
    return { newRS, oldRSs: s.oldRSs, all: [...s.oldRSs, newRS] };
  }

  async function rolloutRolling(d: Deployment, s0: Sets) {
    let s: Sets = await withNewRS(d, s0);
    const newRS = s.newRS!;
    const target = specReplicas(newRS) > deploymentReplicas(d) ? deploymentReplicas(d) : newRSNewReplicas(d, s.all, newRS);
    if (target !== specReplicas(newRS)) {
      const written = await scaleRS(d, newRS, target);
      s = { ...s, newRS: written, all: [...s.oldRSs, written] };
      return syncRolloutStatus(d, s);
    }
    const plan = planOldScaleDown(d, s.all, s.oldRSs, newRS);
    if (plan.size) {
      const oldRSs: ReplicaSet[] = [];
      for (const rs of s.oldRSs) {
        const to = plan.get(rs.metadata!.name!);
        oldRSs.push(to === undefined ? rs : await scaleRS(d, rs, to));
      }
      return syncRolloutStatus(d, { newRS, oldRSs, all: [...oldRSs, newRS] });
    }
    const r = await syncRolloutStatus(d, s);
    if (d.status && isComplete(d, d.status)) await cleanup(d, s);
    return r;
  }

  /** Old pods still around (oldPodsRunning): Recreate waits until none is left, terminating ones included. */
  function oldPodsRunning(s: Sets): boolean {
    for (const rs of s.oldRSs) {
      if ((rs.status?.replicas ?? 0) > 0) return true;
      const owned = pods.lister.byIndex(PODS_BY_CONTROLLER_UID, rs.metadata!.uid!) as Pod[];
      if (owned.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
    }
    return false;
  }

  async function rolloutRecreate(d: Deployment, s0: Sets) {
    let s = s0;
    let scaledDown = false;
    for (const rs of s.oldRSs) {
      if (specReplicas(rs) > 0) {
        await scaleRS(d, rs, 0);
        scaledDown = true;
      }
    }
    if (scaledDown || oldPodsRunning(s)) return syncRolloutStatus(d, s);
    s = await withNewRS(d, s);
    if (specReplicas(s.newRS) !== deploymentReplicas(d)) {
      const written = await scaleRS(d, s.newRS!, deploymentReplicas(d));
      s = { ...s, newRS: written, all: [...s.oldRSs, written] };
    }
    const r = await syncRolloutStatus(d, s);
    if (d.status && isComplete(d, d.status)) await cleanup(d, s);
    return r;
  }

  async function reconcile(key: string) {
    const { namespace, name } = splitKey(key);
    const cached = deployments.lister.get(namespace, name);
    if (!cached) return;
    const d = structuredClone(cached) as Deployment;
    let sel;
    try {
      sel = fromLabelSelectorObject(d.spec?.selector);
    } catch (e) {
      f.logger.warn('invalid selector', { deployment: key, err: errorText(e) });
      return;
    }
    if (sel.empty) {
      // "This deployment will select all pods": Kubernetes refuses to act on it.
      f.recorder?.recordEvent(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      return;
    }
    const owned = await claimReplicaSets(d);
    const s = await replicaSets(d, owned);
    if (d.metadata?.deletionTimestamp) {
      await writeStatus(d, calculateStatus(d, s.all, s.newRS, f.now()));
      return;
    }
    if (d.spec?.paused || (s.newRS && isScalingEvent(d, s))) {
      await scale(d, s);
      return syncRolloutStatus(d, s);
    }
    return isRollingUpdate(d) ? rolloutRolling(d, s) : rolloutRecreate(d, s);
  }

  return queueController('deployment', f, register, reconcile);
}

/** For the controller manager: kube-controller-manager's "deployment-controller". */
export const deploymentController: ControllerDescriptor = {
  name: 'deployment-controller',
  create: (ctx) => createDeploymentController(fromContext(ctx, 'deployment-controller')),
};
