// What Deployment, ReplicaSet and StatefulSet share: a required, non-empty selector that matches
// the pod template's labels, and a template whose pods restart Always.
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import * as fe from '../field-errors.js';
import { GoValue, type FieldError } from '../field-errors.js';
import { goLabelSelector, goStringMap, selectorMatches, validateLabelSelector } from './common.js';
import { validatePodTemplateSpec } from './pod.js';

/** `kind` is the lower-case word Kubernetes uses in "empty selector is invalid for <kind>". */
export function validateSelectorAndTemplate(
  selector: LabelSelector | undefined | null,
  template: PodTemplateSpec | undefined,
  kind: 'deployment' | 'replicaset' | 'statefulset',
  kindName: string,
): FieldError[] {
  const errs: FieldError[] = [];
  if (!selector) errs.push(fe.required('spec.selector'));
  else {
    errs.push(...validateLabelSelector(selector, 'spec.selector'));
    if (Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0) {
      errs.push(fe.invalid('spec.selector', goLabelSelector(selector), `empty selector is invalid for ${kind}`));
    }
  }
  if (!template) return [...errs, fe.required('spec.template')];
  // A missing selector selects nothing (labels.Nothing()), so it matches no template either; an
  // empty one selects everything and is not compared.
  const sel = selector ?? {};
  const empty = Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0;
  if (!selector || (!empty && !selectorMatches(sel, template.metadata?.labels))) {
    errs.push(fe.invalid('spec.template.metadata.labels', new GoValue(goStringMap(template.metadata?.labels)), '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(template, 'spec.template'));
  const rp = template.spec?.restartPolicy;
  if (template.spec && rp && rp !== 'Always') errs.push(fe.notSupported('spec.template.spec.restartPolicy', rp, ['Always']));
  if (template.spec && template.spec.activeDeadlineSeconds !== undefined && template.spec.activeDeadlineSeconds !== null) {
    errs.push(fe.forbidden('spec.template.spec.activeDeadlineSeconds', `activeDeadlineSeconds in ${kindName} is not Supported`));
  }
  return errs;
}
