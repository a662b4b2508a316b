// Node validation as pkg/apis/core/validation (ValidateNode): taints and pod CIDRs.
import type { Node } from 'kubernetes-types/core/v1.js';
import * as fe from '../field-errors.js';
import type { FieldError } from '../field-errors.js';
import { isQualifiedName, isValidLabelValue } from './names.js';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const CIDR_RE = /^(\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/;

export function validateNode(node: Node): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (node.spec?.taints ?? []).forEach((t, i) => {
    const at = `spec.taints[${i}]`;
    for (const m of isQualifiedName(t.key ?? '')) errs.push(fe.invalid(`${at}.key`, t.key ?? '', m));
    if (t.value) for (const m of isValidLabelValue(t.value)) errs.push(fe.invalid(`${at}.value`, t.value, m));
    if (!t.effect) errs.push(fe.required(`${at}.effect`));
    else if (!TAINT_EFFECTS.includes(t.effect)) errs.push(fe.notSupported(`${at}.effect`, t.effect, TAINT_EFFECTS));
    const id = `${t.key}:${t.effect}`;
    if (seen.has(id)) errs.push(fe.duplicate(at, id));
    seen.add(id);
  });
  (node.spec?.podCIDRs ?? []).forEach((c, i) => {
    if (!CIDR_RE.test(c)) errs.push(fe.invalid(`spec.podCIDRs[${i}]`, c, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
  });
  return errs;
}
