// Validation helpers shared by the kinds: labels, annotations, label selectors, numeric ranges, and
// the Go renderings (%#v) apimachinery uses when it prints a structured bad value.
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import * as fe from '../field-errors.js';
import { GoValue, type FieldError } from '../field-errors.js';
import { isQualifiedName, isValidLabelValue } from './names.js';

/** apimachinery's TotalAnnotationSizeLimitB. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateLabels(labels: Record<string, unknown> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const msg of isQualifiedName(k)) errs.push(fe.invalid(path, k, msg));
    for (const msg of isValidLabelValue(String(v))) errs.push(fe.invalid(path, v, msg));
  }
  return errs;
}

export function validateAnnotations(annotations: Record<string, unknown> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(fe.invalid(path, k, msg));
    size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(fe.tooLong(path, '', TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

/** ValidateNonnegativeField. */
export function nonNegative(value: number | undefined | null, path: string): FieldError[] {
  return typeof value === 'number' && value < 0 ? [fe.invalid(path, value, 'must be greater than or equal to 0')] : [];
}

/** ValidatePositiveField (apps). */
export function positive(value: number | undefined | null, path: string): FieldError[] {
  return typeof value === 'number' && value <= 0 ? [fe.invalid(path, value, 'must be greater than 0')] : [];
}

const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** metav1validation.ValidateLabelSelector (strict label values). */
export function validateLabelSelector(sel: LabelSelector | undefined | null, path: string): FieldError[] {
  if (!sel) return [];
  const errs: FieldError[] = [];
  (sel.matchExpressions ?? []).forEach((r, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const values = r.values ?? [];
    if (r.operator === 'In' || r.operator === 'NotIn') {
      if (values.length === 0) errs.push(fe.required(`${p}.values`, 'must be specified when `operator` is \'In\' or \'NotIn\''));
    } else if (r.operator === 'Exists' || r.operator === 'DoesNotExist') {
      if (values.length > 0) errs.push(fe.forbidden(`${p}.values`, 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\''));
    } else {
      errs.push(fe.invalid(`${p}.operator`, r.operator, 'not a valid selector operator'));
    }
    for (const msg of isQualifiedName(r.key ?? '')) errs.push(fe.invalid(`${p}.key`, r.key ?? '', msg));
    values.forEach((v, j) => {
      for (const msg of isValidLabelValue(v)) errs.push(fe.invalid(`${p}.values[${j}]`, v, msg));
    });
  });
  errs.push(...validateLabels(sel.matchLabels, `${path}.matchLabels`));
  return errs;
}

/** Whether `labels` satisfy `sel` (an empty selector matches everything). */
export function selectorMatches(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const r of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const values = r.values ?? [];
    if (r.operator === 'In' && !(has && values.includes(l[r.key]))) return false;
    if (r.operator === 'NotIn' && has && values.includes(l[r.key])) return false;
    if (r.operator === 'Exists' && !has) return false;
    if (r.operator === 'DoesNotExist' && has) return false;
    if (!SELECTOR_OPERATORS.includes(r.operator)) return false;
  }
  return true;
}

const goString = (s: string) => JSON.stringify(s);

/** Go %#v of a map[string]string: keys sorted, `map[string]string{"a":"b", "c":"d"}`. */
export function goStringMap(m: Record<string, string> | undefined | null): string {
  if (!m) return 'map[string]string(nil)';
  const body = Object.keys(m)
    .sort()
    .map((k) => `${goString(k)}:${goString(String(m[k]))}`)
    .join(', ');
  return `map[string]string{${body}}`;
}

function goStringSlice(values: string[] | undefined): string {
  return values && values.length ? `[]string{${values.map(goString).join(', ')}}` : '[]string(nil)';
}

/** Go %#v of a metav1.LabelSelector, as apimachinery prints it in "field is immutable" errors. */
export function goLabelSelector(sel: LabelSelector | undefined | null): GoValue {
  if (!sel) return new GoValue('"null"');
  const exprs = sel.matchExpressions?.length
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions
        .map((r) => `v1.LabelSelectorRequirement{Key:${goString(r.key)}, Operator:${goString(r.operator)}, Values:${goStringSlice(r.values)}}`)
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return new GoValue(`v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels)}, MatchExpressions:${exprs}}`);
}

/** JSON equality regardless of key order. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** ValidateImmutableField: `field is immutable` with the new value. */
export function immutable(newValue: unknown, oldValue: unknown, path: string, render: (v: unknown) => unknown = (v) => v): FieldError[] {
  return deepEqual(newValue, oldValue) ? [] : [fe.invalid(path, render(newValue), 'field is immutable')];
}
