// The arithmetic of the Deployment controller (pkg/controller/deployment/util), kept pure so it
// can be tested without an API: fenceposts, how far to scale the new and old ReplicaSets, the
// status and its conditions with Kubernetes' reasons and messages.
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { scaledValue, timestamp } from './controller-utils.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** Deployment annotations that are not copied to its ReplicaSets (skipCopyAnnotation). */
const NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'deprecated.deployment.rollback.to',
]);

export const specReplicas = (o: { spec?: { replicas?: number } } | undefined): number => o?.spec?.replicas ?? 0;
export const deploymentReplicas = (d: Deployment): number => d.spec?.replicas ?? 1;

export function revisionOf(rs: ReplicaSet): number {
  const v = Number(rs.metadata?.annotations?.[REVISION_ANNOTATION] ?? '0');
  return Number.isInteger(v) ? v : 0;
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** ResolveFenceposts: maxSurge rounds up, maxUnavailable down; both 0 → unavailable 1. */
export function resolveFenceposts(d: Deployment): { surge: number; unavailable: number } {
  if (!isRollingUpdate(d)) return { surge: 0, unavailable: 0 };
  const desired = deploymentReplicas(d);
  const ru = d.spec?.strategy?.rollingUpdate;
  const surge = scaledValue(ru?.maxSurge, desired, true, Math.ceil(desired * 0.25));
  let unavailable = scaledValue(ru?.maxUnavailable, desired, false, Math.floor(desired * 0.25));
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/** MaxUnavailable as the status' Available condition uses it (capped at the replica count). */
export function maxUnavailable(d: Deployment): number {
  if (!isRollingUpdate(d) || deploymentReplicas(d) === 0) return 0;
  return Math.min(resolveFenceposts(d).unavailable, deploymentReplicas(d));
}

export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? resolveFenceposts(d).surge : 0;
}

/** NewRSNewReplicas: what the new ReplicaSet should be scaled to in this step. */
export function newRSNewReplicas(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined): number {
  const desired = deploymentReplicas(d);
  if (!isRollingUpdate(d)) return desired;
  const current = all.reduce((n, rs) => n + specReplicas(rs), 0);
  const maxTotal = desired + maxSurge(d);
  if (current >= maxTotal) return specReplicas(newRS);
  const up = Math.min(maxTotal - current, desired - specReplicas(newRS));
  return specReplicas(newRS) + Math.max(0, up);
}

/**
 * reconcileOldReplicaSets' plan: first remove unhealthy old pods (cleanupUnhealthyReplicas), then
 * scale old ReplicaSets down oldest first while availability stays at or above the minimum.
 * Returns the new spec.replicas per old ReplicaSet name (only changed ones).
 */
export function planOldScaleDown(d: Deployment, all: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet | undefined): Map<string, number> {
  const out = new Map<string, number>();
  const oldCount = oldRSs.reduce((n, rs) => n + specReplicas(rs), 0);
  if (oldCount === 0) return out;
  const allCount = all.reduce((n, rs) => n + specReplicas(rs), 0);
  const minAvailable = deploymentReplicas(d) - maxUnavailable(d);
  const newUnavailable = specReplicas(newRS) - (newRS?.status?.availableReplicas ?? 0);
  const maxScaledDown = allCount - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return out;
  const byAge = [...oldRSs].sort(olderFirst);
  const current = new Map(byAge.map((rs) => [rs.metadata!.name!, specReplicas(rs)]));
  // Unhealthy first: replicas that are not available cost nothing to remove.
  let cleaned = 0;
  for (const rs of byAge) {
    if (cleaned >= maxScaledDown) break;
    const name = rs.metadata!.name!;
    const spec = current.get(name)!;
    const avail = rs.status?.availableReplicas ?? 0;
    if (spec === 0 || spec === avail) continue;
    const n = Math.min(maxScaledDown - cleaned, spec - avail);
    current.set(name, spec - n);
    out.set(name, spec - n);
    cleaned += n;
  }
  // Then healthy ones, keeping availability at minAvailable.
  const available = all.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
  if (available > minAvailable) {
    const total = Math.min(available - minAvailable, maxScaledDown - cleaned);
    let done = 0;
    for (const rs of byAge) {
      if (done >= total) break;
      const name = rs.metadata!.name!;
      const spec = current.get(name)!;
      if (spec === 0) continue;
      const n = Math.min(spec, total - done);
      current.set(name, spec - n);
      out.set(name, spec - n);
      done += n;
    }
  }
  return out;
}

export function olderFirst(a: ReplicaSet, b: ReplicaSet): number {
  const ta = Date.parse(a.metadata?.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
}

/**
 * Proportional scaling (DeploymentController.scale) when spec.replicas changed while several
 * ReplicaSets are active: the difference is shared by their sizes; leftovers go to the first
 * (newest and largest when growing, oldest and largest when shrinking... as Kubernetes sorts).
 */
export function planProportionalScale(d: Deployment, active: ReplicaSet[]): Map<string, number> {
  const out = new Map<string, number>();
  const allowed = deploymentReplicas(d) + maxSurge(d);
  const current = active.reduce((n, rs) => n + specReplicas(rs), 0);
  const toAdd = allowed - current;
  if (toAdd === 0 || current === 0) return out;
  const newerFirst = (a: ReplicaSet, b: ReplicaSet) => specReplicas(b) - specReplicas(a) || -olderFirst(a, b);
  const olderLargest = (a: ReplicaSet, b: ReplicaSet) => specReplicas(b) - specReplicas(a) || olderFirst(a, b);
  const sorted = [...active].sort(toAdd > 0 ? newerFirst : olderLargest);
  let added = 0;
  for (const rs of sorted) {
    const share = Math.trunc((specReplicas(rs) * toAdd) / current);
    const capped = toAdd > 0 ? Math.min(share, toAdd - added) : Math.max(share, toAdd - added);
    added += capped;
    out.set(rs.metadata!.name!, specReplicas(rs) + capped);
  }
  const first = sorted[0]!.metadata!.name!;
  out.set(first, Math.max(0, out.get(first)! + (toAdd - added)));
  return out;
}

/** The status from the ReplicaSets (calculateStatus), keeping conditions for the caller to adjust. */
export function calculateStatus(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined, now: Date): DeploymentStatus {
  const sum = (f: (rs: ReplicaSet) => number) => all.reduce((n, rs) => n + f(rs), 0);
  const available = sum((rs) => rs.status?.availableReplicas ?? 0);
  const total = sum(specReplicas);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation ?? 0,
    replicas: sum((rs) => rs.status?.replicas ?? 0),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sum((rs) => rs.status?.readyReplicas ?? 0),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
    conditions: structuredClone(d.status?.conditions ?? []) as DeploymentCondition[],
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (available >= deploymentReplicas(d) - maxUnavailable(d)) {
    setCondition(status, { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }, now);
  } else {
    setCondition(status, { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' }, now);
  }
  // A ReplicaSet that cannot create or delete pods makes the Deployment say so (getReplicaFailures).
  const failure = all.flatMap((rs) => rs.status?.conditions ?? []).find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  if (failure) setCondition(status, { type: 'ReplicaFailure', status: 'True', reason: failure.reason, message: failure.message }, now);
  else status.conditions = status.conditions?.filter((c) => c.type !== 'ReplicaFailure');
  return status;
}

/**
 * SetDeploymentCondition: the same status and reason changes nothing; the same status keeps
 * lastTransitionTime; lastUpdateTime is now.
 */
export function setCondition(status: DeploymentStatus, c: Omit<DeploymentCondition, 'lastUpdateTime' | 'lastTransitionTime'>, now: Date): void {
  const conds = status.conditions ?? [];
  const cur = conds.find((x) => x.type === c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  const ts = timestamp(now);
  const next: DeploymentCondition = { ...c, lastUpdateTime: ts, lastTransitionTime: cur && cur.status === c.status ? cur.lastTransitionTime : ts };
  status.conditions = [...conds.filter((x) => x.type !== c.type), next];
}

/** DeploymentComplete. */
export function isComplete(d: Deployment, s: DeploymentStatus): boolean {
  const want = deploymentReplicas(d);
  return s.updatedReplicas === want && s.replicas === want && s.availableReplicas === want && (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** DeploymentProgressing: more updated/ready/available replicas or fewer old ones than before. */
export function isProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** DeploymentTimedOut: the Progressing condition has not moved for progressDeadlineSeconds. */
export function progressDeadlineLeftMs(d: Deployment, s: DeploymentStatus, now: Date): number | undefined {
  const deadline = d.spec?.progressDeadlineSeconds;
  if (deadline === undefined || deadline >= 2147483647) return undefined;
  const c = s.conditions?.find((x) => x.type === 'Progressing');
  if (!c || c.reason === 'NewReplicaSetAvailable' || c.reason === 'ProgressDeadlineExceeded') return undefined;
  const from = Date.parse(c.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return undefined;
  return from + deadline * 1000 - now.getTime();
}

/** Annotations a ReplicaSet inherits from its Deployment. */
export function copiedAnnotations(d: Deployment): Record<string, string> {
  return Object.fromEntries(Object.entries(d.metadata?.annotations ?? {}).filter(([k]) => !NOT_COPIED.has(k)));
}

/** Status as the API prints it: zero counts left out (omitempty), as Kubernetes' Go types do. */
export function withoutZeros<T extends object>(s: T, keep: string[] = []): T {
  return Object.fromEntries(Object.entries(s).filter(([k, v]) => keep.includes(k) || !(v === 0 || (Array.isArray(v) && v.length === 0)))) as T;
}
