// StatefulSet validation as pkg/apis/apps/validation (ValidateStatefulSet, ValidateStatefulSetUpdate).
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import * as fe from '../field-errors.js';
import type { FieldError } from '../field-errors.js';
import { deepEqual, nonNegative } from './common.js';
import { isDNS1123Label } from './names.js';
import { validateSelectorAndTemplate } from './workload-template.js';

const RETENTION = ['Retain', 'Delete'];

export function validateStatefulSet(sts: StatefulSet): FieldError[] {
  const spec = sts.spec;
  if (!spec) return [fe.required('spec')];
  const errs: FieldError[] = [];
  const pmp = spec.podManagementPolicy;
  if (!pmp) errs.push(fe.required('spec.podManagementPolicy'));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') {
    errs.push(fe.invalid('spec.podManagementPolicy', pmp, "must be 'OrderedReady' or 'Parallel'"));
  }
  const us = spec.updateStrategy;
  if (!us?.type) errs.push(fe.required('spec.updateStrategy'));
  else if (us.type === 'OnDelete') {
    if (us.rollingUpdate) errs.push(fe.invalid('spec.updateStrategy.rollingUpdate', us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
  } else if (us.type === 'RollingUpdate') {
    errs.push(...nonNegative(us.rollingUpdate?.partition, 'spec.updateStrategy.rollingUpdate.partition'));
  } else {
    errs.push(fe.invalid('spec.updateStrategy', us, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const policy = spec.persistentVolumeClaimRetentionPolicy;
  if (policy) {
    for (const k of ['whenDeleted', 'whenScaled'] as const) {
      const v = policy[k];
      if (v && !RETENTION.includes(v)) errs.push(fe.notSupported(`spec.persistentVolumeClaimRetentionPolicy.${k}`, v, RETENTION));
    }
  }
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(spec.ordinals?.start, 'spec.ordinals.start'));
  if (spec.serviceName) for (const m of isDNS1123Label(spec.serviceName)) errs.push(fe.invalid('spec.serviceName', spec.serviceName, m));
  errs.push(...validateSelectorAndTemplate(spec.selector, spec.template, 'statefulset', 'StatefulSet'));
  return errs;
}

const STS_UPDATE_FORBIDDEN =
  "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

export function validateStatefulSetUpdate(sts: StatefulSet, old: StatefulSet): FieldError[] {
  const errs = validateStatefulSet(sts);
  const mutable = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];
  const strip = (s: object | undefined) => Object.fromEntries(Object.entries(s ?? {}).filter(([k]) => !mutable.includes(k)));
  if (!deepEqual(strip(sts.spec), strip(old.spec))) errs.push(fe.forbidden('spec', STS_UPDATE_FORBIDDEN));
  return errs;
}

export function validateStatefulSetStatus(sts: StatefulSet): FieldError[] {
  const s = sts.status ?? { replicas: 0 };
  const errs: FieldError[] = [];
  for (const k of ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration', 'collisionCount'] as const) {
    errs.push(...nonNegative(s[k], `status.${k}`));
  }
  for (const k of ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas'] as const) {
    if ((s[k] ?? 0) > s.replicas) errs.push(fe.invalid(`status.${k}`, s[k], 'cannot be greater than status.replicas'));
  }
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) {
    errs.push(fe.invalid('status.availableReplicas', s.availableReplicas, 'cannot be greater than status.readyReplicas'));
  }
  return errs;
}
