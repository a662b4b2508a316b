// core/v1 Event validation as pkg/apis/core/validation (the legacy ValidateEvent path): the event's
// namespace must agree with its involvedObject's.
import type { Event } from 'kubernetes-types/core/v1.js';
import * as fe from '../field-errors.js';
import type { FieldError } from '../field-errors.js';
import { nonNegative } from './common.js';

export function validateEvent(ev: Event): FieldError[] {
  const errs: FieldError[] = [];
  const ns = ev.metadata?.namespace ?? '';
  const involved = ev.involvedObject?.namespace ?? '';
  if (involved === '' ? ns !== '' && ns !== 'default' : involved !== ns) {
    errs.push(fe.invalid('involvedObject.namespace', involved, 'does not match event.namespace'));
  }
  if (ev.type && ev.type !== 'Normal' && ev.type !== 'Warning') errs.push(fe.notSupported('type', ev.type, ['Normal', 'Warning']));
  errs.push(...nonNegative(ev.count, 'count'));
  return errs;
}
