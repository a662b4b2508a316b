// Namespace validation as pkg/apis/core/validation (ValidateNamespace, ValidateNamespaceUpdate).
// The name (a DNS-1123 label) and metadata are the generic registry's ObjectMeta checks.
import type { Namespace } from 'kubernetes-types/core/v1.js';
import * as fe from '../field-errors.js';
import type { FieldError } from '../field-errors.js';
import { validateFinalizerName } from './objectmeta.js';

/** The finalizer the namespace controller owns. */
export const FINALIZER_KUBERNETES = 'kubernetes';

export function validateNamespace(ns: Namespace): FieldError[] {
  const errs: FieldError[] = [];
  (ns.spec?.finalizers ?? []).forEach((f, i) => errs.push(...validateFinalizerName(f, `spec.finalizers[${i}]`)));
  const phase = ns.status?.phase;
  if (phase && phase !== 'Active' && phase !== 'Terminating') errs.push(fe.notSupported('status.phase', phase, ['Active', 'Terminating']));
  return errs;
}

export function validateNamespaceUpdate(ns: Namespace): FieldError[] {
  return validateNamespace(ns);
}
