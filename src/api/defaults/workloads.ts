// Deployment, ReplicaSet and StatefulSet defaulting as pkg/apis/apps/v1/defaults.go; their pod
// templates get the PodSpec defaults.
import type { Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { setPodTemplateSpecDefaults, setPVCSpecDefaults } from './pod.js';

function isUnset(v: unknown): v is undefined | null {
  return v === undefined || v === null;
}

export function setDeploymentDefaults(d: Deployment): void {
  const spec = (d.spec ??= { selector: {}, template: {} });
  if (isUnset(spec.replicas)) spec.replicas = 1;
  const strategy = (spec.strategy ??= {});
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    if (isUnset(ru.maxUnavailable)) ru.maxUnavailable = '25%';
    if (isUnset(ru.maxSurge)) ru.maxSurge = '25%';
  }
  if (isUnset(spec.revisionHistoryLimit)) spec.revisionHistoryLimit = 10;
  if (isUnset(spec.progressDeadlineSeconds)) spec.progressDeadlineSeconds = 600;
  setPodTemplateSpecDefaults(spec.template);
}

export function setReplicaSetDefaults(rs: ReplicaSet): void {
  const spec = (rs.spec ??= { selector: {} });
  if (isUnset(spec.replicas)) spec.replicas = 1;
  setPodTemplateSpecDefaults(spec.template);
}

/** A claim template as SetDefaults_PersistentVolumeClaim(Spec): Filesystem mode, Pending phase. */
function setClaimTemplateDefaults(pvc: PersistentVolumeClaim): void {
  setPVCSpecDefaults((pvc.spec ??= {}));
  // kubernetes-types marks status read-only; templates are plain JSON here.
  const w = pvc as { status?: { phase?: string } };
  const status = (w.status ??= {});
  if (!status.phase) status.phase = 'Pending';
}

export function setStatefulSetDefaults(sts: StatefulSet): void {
  const spec = (sts.spec ??= { selector: {}, serviceName: '', template: {} });
  if (!spec.podManagementPolicy) spec.podManagementPolicy = 'OrderedReady';
  const us = (spec.updateStrategy ??= {});
  if (!us.type) {
    us.type = 'RollingUpdate';
    us.rollingUpdate ??= {};
  }
  if (us.type === 'RollingUpdate' && us.rollingUpdate && isUnset(us.rollingUpdate.partition)) us.rollingUpdate.partition = 0;
  // StatefulSetAutoDeletePVC is on by default (GA in 1.32).
  const policy = (spec.persistentVolumeClaimRetentionPolicy ??= {});
  if (!policy.whenDeleted) policy.whenDeleted = 'Retain';
  if (!policy.whenScaled) policy.whenScaled = 'Retain';
  if (isUnset(spec.replicas)) spec.replicas = 1;
  if (isUnset(spec.revisionHistoryLimit)) spec.revisionHistoryLimit = 10;
  for (const pvc of spec.volumeClaimTemplates ?? []) setClaimTemplateDefaults(pvc);
  setPodTemplateSpecDefaults(spec.template);
}
