// ReplicaSet validation as pkg/apis/apps/validation (ValidateReplicaSet and its update/status forms).
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import * as fe from '../field-errors.js';
import type { FieldError } from '../field-errors.js';
import { nonNegative } from './common.js';
import { validateSelectorImmutable } from './deployment.js';
import { validateSelectorAndTemplate } from './workload-template.js';

export function validateReplicaSet(rs: ReplicaSet): FieldError[] {
  const spec = rs.spec;
  if (!spec) return [fe.required('spec')];
  return [
    ...nonNegative(spec.replicas, 'spec.replicas'),
    ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
    ...validateSelectorAndTemplate(spec.selector, spec.template, 'replicaset', 'ReplicaSet'),
  ];
}

export function validateReplicaSetUpdate(rs: ReplicaSet, old: ReplicaSet): FieldError[] {
  return [...validateReplicaSet(rs), ...validateSelectorImmutable(rs, old)];
}

export function validateReplicaSetStatus(rs: ReplicaSet): FieldError[] {
  const s = rs.status ?? { replicas: 0 };
  const errs: FieldError[] = [];
  for (const k of ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'] as const) {
    errs.push(...nonNegative(s[k], `status.${k}`));
  }
  if ((s.fullyLabeledReplicas ?? 0) > s.replicas) {
    errs.push(fe.invalid('status.fullyLabeledReplicas', s.fullyLabeledReplicas, 'cannot be greater than status.replicas'));
  }
  if ((s.readyReplicas ?? 0) > s.replicas) errs.push(fe.invalid('status.readyReplicas', s.readyReplicas, 'cannot be greater than status.replicas'));
  if ((s.availableReplicas ?? 0) > s.replicas) {
    errs.push(fe.invalid('status.availableReplicas', s.availableReplicas, 'cannot be greater than status.replicas'));
  }
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) {
    errs.push(fe.invalid('status.availableReplicas', s.availableReplicas, 'cannot be greater than readyReplicas'));
  }
  return errs;
}
