// Lease validation as pkg/apis/coordination/validation (ValidateLeaseSpec).
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { FieldError } from '../field-errors.js';
import { nonNegative, positive } from './common.js';

export function validateLease(lease: Lease): FieldError[] {
  const spec = lease.spec ?? {};
  return [...positive(spec.leaseDurationSeconds, 'spec.leaseDurationSeconds'), ...nonNegative(spec.leaseTransitions, 'spec.leaseTransitions')];
}
