// Deployment validation as pkg/apis/apps/validation (ValidateDeployment, ValidateDeploymentUpdate,
// ValidateDeploymentStatus).
import type { Deployment, DeploymentStrategy } from 'kubernetes-types/apps/v1.js';
import * as fe from '../field-errors.js';
import { GoValue, type FieldError } from '../field-errors.js';
import { goLabelSelector, immutable, nonNegative, positive } from './common.js';
import { validateSelectorAndTemplate } from './workload-template.js';

type IntOrString = number | string;

const PERCENT_RE = /^[0-9]+%$/;
const PERCENT_ERROR =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/** IntOrString values print through their String() method: 25% or 1, without quotes. */
const ios = (v: IntOrString) => new GoValue(String(v));

function validatePositiveIntOrPercent(v: IntOrString | undefined, path: string): FieldError[] {
  if (typeof v === 'string') return PERCENT_RE.test(v) ? [] : [fe.invalid(path, ios(v), PERCENT_ERROR)];
  if (typeof v === 'number') return nonNegative(v, path);
  return [];
}

function intOrPercentValue(v: IntOrString | undefined): number {
  if (typeof v === 'string') return PERCENT_RE.test(v) ? Number(v.slice(0, -1)) : -1;
  return v ?? 0;
}

function validateStrategy(s: DeploymentStrategy | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = s?.type;
  if (type === 'Recreate') {
    if (s?.rollingUpdate) errs.push(fe.forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'"));
  } else if (type === 'RollingUpdate') {
    const ru = s?.rollingUpdate;
    if (!ru) return [fe.required(`${path}.rollingUpdate`, 'this should be defaulted and never be nil')];
    errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${path}.rollingUpdate.maxUnavailable`));
    errs.push(...validatePositiveIntOrPercent(ru.maxSurge, `${path}.rollingUpdate.maxSurge`));
    if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
      errs.push(fe.invalid(`${path}.rollingUpdate.maxUnavailable`, ios(ru.maxUnavailable ?? 0), 'may not be 0 when `maxSurge` is 0'));
    }
    if (typeof ru.maxUnavailable === 'string' && intOrPercentValue(ru.maxUnavailable) > 100) {
      errs.push(fe.invalid(`${path}.rollingUpdate.maxUnavailable`, ios(ru.maxUnavailable), 'must not be greater than 100%'));
    }
  } else {
    errs.push(fe.notSupported(`${path}.type`, type ?? '', ['Recreate', 'RollingUpdate']));
  }
  return errs;
}

export function validateDeployment(d: Deployment): FieldError[] {
  const spec = d.spec;
  if (!spec) return [fe.required('spec')];
  const errs: FieldError[] = [];
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateSelectorAndTemplate(spec.selector, spec.template, 'deployment', 'ReplicaSet'));
  errs.push(...validateStrategy(spec.strategy, 'spec.strategy'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (typeof spec.progressDeadlineSeconds === 'number') {
    errs.push(...positive(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(fe.invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

/** The selector of an apps/v1 workload cannot change. */
export function validateSelectorImmutable(d: { spec?: { selector?: unknown } }, old: { spec?: { selector?: unknown } }): FieldError[] {
  return immutable(d.spec?.selector, old.spec?.selector, 'spec.selector', (v) => goLabelSelector(v as Parameters<typeof goLabelSelector>[0]));
}

export function validateDeploymentUpdate(d: Deployment, old: Deployment): FieldError[] {
  return [...validateDeployment(d), ...validateSelectorImmutable(d, old)];
}

export function validateDeploymentStatus(d: Deployment): FieldError[] {
  const s = d.status ?? {};
  const errs: FieldError[] = [];
  for (const k of ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'collisionCount'] as const) {
    errs.push(...nonNegative(s[k], `status.${k}`));
  }
  if ((s.availableReplicas ?? 0) > (s.replicas ?? 0)) {
    errs.push(fe.invalid('status.availableReplicas', s.availableReplicas, 'cannot be greater than status.replicas'));
  }
  if ((s.readyReplicas ?? 0) > (s.replicas ?? 0)) {
    errs.push(fe.invalid('status.readyReplicas', s.readyReplicas, 'cannot be greater than status.replicas'));
  }
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) {
    errs.push(fe.invalid('status.availableReplicas', s.availableReplicas, 'cannot be greater than readyReplicas'));
  }
  return errs;
}
