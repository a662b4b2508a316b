// Pods from a controller's template, and which pod goes first on scale-down — shared by the
// ReplicaSet and StatefulSet controllers (controller_utils.go GetPodFromTemplate, ActivePodsWithRanks).
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isPodReady, podReadyCondition } from './controller-utils.js';

/** A new pod from `template`, owned by `owner`; name or generateName decided by the caller. */
export function podFromTemplate(template: PodTemplateSpec | undefined, namespace: string, owner: OwnerReference, name: { name?: string; generateName?: string }): Pod {
  const t = structuredClone(template ?? {});
  const metadata: Pod['metadata'] = { ...name, namespace, ownerReferences: [owner] };
  if (t.metadata?.labels) metadata.labels = t.metadata.labels;
  if (t.metadata?.annotations) metadata.annotations = t.metadata.annotations;
  if (t.metadata?.finalizers) metadata.finalizers = t.metadata.finalizers;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: t.spec ?? { containers: [] } };
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function readySince(p: Pod): number {
  const t = podReadyCondition(p)?.lastTransitionTime;
  return t ? Date.parse(t) : 0;
}

function restarts(p: Pod): number {
  return (p.status?.containerStatuses ?? []).reduce((m, c) => Math.max(m, c.restartCount ?? 0), 0);
}

/**
 * Orders pods so the first are the best to delete (controller.ActivePods' Less): unassigned
 * before assigned, Pending before Unknown before Running, not ready before ready, ready for a
 * shorter time first, more restarts first, newer first.
 */
export function compareForDeletion(a: Pod, b: Pod): number {
  const assigned = (p: Pod) => (p.spec?.nodeName ? 1 : 0);
  if (assigned(a) !== assigned(b)) return assigned(a) - assigned(b);
  const phase = (p: Pod) => PHASE_RANK[p.status?.phase ?? 'Pending'] ?? 0;
  if (phase(a) !== phase(b)) return phase(a) - phase(b);
  const ready = (p: Pod) => (isPodReady(p) ? 1 : 0);
  if (ready(a) !== ready(b)) return ready(a) - ready(b);
  if (isPodReady(a) && isPodReady(b) && readySince(a) !== readySince(b)) return readySince(b) - readySince(a);
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  const created = (p: Pod) => Date.parse(p.metadata?.creationTimestamp ?? '') || 0;
  if (created(a) !== created(b)) return created(b) - created(a);
  return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? 1 : -1;
}
