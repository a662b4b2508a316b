// pods/binding, as kube-apiserver's BindingREST: validate the Binding, then assign the pod to the
// node: spec.nodeName set once, the binding's annotations copied, condition PodScheduled=True.
// This is the one way a pod's spec.nodeName changes after creation (a plain update may not; see
// validatePodUpdate). The apiserver calls bindPod on the stored pod and writes the result directly.
import type { Binding, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { conflict } from '../errors.js';
import * as fe from '../field-errors.js';
import type { FieldError } from '../field-errors.js';

export function validateBinding(binding: Binding): FieldError[] {
  const errs: FieldError[] = [];
  const kind = binding.target?.kind;
  if (kind && kind !== 'Node') errs.push(fe.notSupported('target.kind', kind, ['Node', '<empty>']));
  if (!binding.target?.name) errs.push(fe.required('target.name'));
  return errs;
}

/**
 * Assigns `pod` (modified in place) to the binding's node, or throws 409 Conflict with Kubernetes'
 * text (`Operation cannot be fulfilled on pods/binding "p": pod p is already assigned to node "n1"`).
 * `now` is the RFC 3339 time for the condition's lastTransitionTime.
 */
export function bindPod(pod: Pod, binding: Binding, now: string): void {
  const name = pod.metadata?.name ?? '';
  const fail = (why: string) => conflict({ group: '', resource: 'pods/binding' }, name, why);
  if (pod.metadata?.deletionTimestamp) throw fail(`pod ${name} is being deleted, cannot be assigned to a host`);
  if (pod.spec?.nodeName) throw fail(`pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
  if ((pod.spec?.schedulingGates ?? []).length) throw fail(`pod ${name} has non-empty .spec.schedulingGates`);
  const spec = (pod.spec ??= { containers: [] });
  spec.nodeName = binding.target.name;
  const annotations = binding.metadata?.annotations;
  if (annotations && Object.keys(annotations).length) {
    const m = (pod.metadata ??= {});
    m.annotations = { ...(m.annotations ?? {}), ...annotations };
  }
  const status = ((pod as { status?: { conditions?: PodCondition[] } }).status ??= {});
  const conditions = (status.conditions ??= []);
  const existing = conditions.find((c) => c.type === 'PodScheduled');
  if (!existing) conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: undefined, lastTransitionTime: now });
  else if (existing.status !== 'True') Object.assign(existing, { status: 'True', lastTransitionTime: now, reason: undefined, message: undefined });
  for (const c of conditions) for (const k of Object.keys(c) as (keyof PodCondition)[]) if (c[k] === undefined) delete c[k];
}
