// pods/binding and pods/eviction, the two POST subresources of pods. A binding (the scheduler's
// write) sets spec.nodeName and the PodScheduled condition without going through the pod
// strategy's update rules, which forbid changing spec.nodeName; an eviction deletes the pod
// (there are no PodDisruptionBudgets to consult).
import { StatusError, conflict, invalid } from '../api/errors.js';
import type { KubeObject, Stored } from '../api/object.js';
import * as fe from '../api/field-errors.js';
import type { GenericRegistry } from './generic.js';
import type { WriteOptions } from './generic-types.js';
import { timestamp } from './generic-meta.js';

interface PodShape {
  spec?: { nodeName?: string };
  status?: { conditions?: { type: string; status: string; lastTransitionTime?: string | null; lastProbeTime?: string | null }[] };
}

const BINDING_GR = { group: '', resource: 'pods/binding' };

/** Success Status as kube-apiserver answers a binding or an eviction (201). */
export function successStatus(code: number): KubeObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code };
}

export async function bindPod(pods: GenericRegistry, namespace: string | undefined, name: string, binding: KubeObject, opts: WriteOptions = {}): Promise<Stored> {
  const target = (binding.target ?? {}) as { kind?: string; name?: string };
  if (binding.metadata?.name && binding.metadata.name !== name) {
    throw new StatusError(400, 'BadRequest', `name in URL does not match name in Binding object`);
  }
  if (!target.name) throw invalid('', 'Binding', name, [fe.required('target.name', '')]);
  if (target.kind && target.kind !== 'Node') throw invalid('', 'Binding', name, [fe.notSupported('target.kind', target.kind, ['Node'])]);
  const annotations = binding.metadata?.annotations;
  return pods.mutate(namespace, name, opts, (pod) => {
    const p = pod as Stored & PodShape;
    if (p.metadata.deletionTimestamp) throw conflict(BINDING_GR, name, `pod ${name} is being deleted, cannot be assigned to a host`);
    if (p.spec?.nodeName) throw conflict(BINDING_GR, name, `pod ${name} is already assigned to node "${p.spec.nodeName}"`);
    p.spec = { ...p.spec, nodeName: target.name };
    if (annotations) (p.metadata as { annotations?: Record<string, string> }).annotations = { ...p.metadata.annotations, ...annotations };
    const conditions = (p.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp(new Date()) });
    p.status = { ...p.status, conditions };
  });
}
