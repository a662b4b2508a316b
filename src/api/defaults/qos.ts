// A Pod's QoS class (status.qosClass), which kube-apiserver computes when a pod is created, as
// pkg/apis/core/helper/qos: only cpu and memory count. BestEffort: no container requests or limits
// either. Guaranteed: every container limits both, and its requests (defaulted from limits) equal
// its limits. Anything else is Burstable.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../validation/quantity.js';

export type QOSClass = 'BestEffort' | 'Burstable' | 'Guaranteed';

const COMPUTE = ['cpu', 'memory'];

function positive(list: Record<string, unknown> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of COMPUTE) {
    const v = parseQuantity(list?.[r]);
    if (v !== undefined && v > 0) out[r] = v;
  }
  return out;
}

export function podQOSClass(pod: Pod): QOSClass {
  const containers: Container[] = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const limits = positive(c.resources?.limits);
    const requests = { ...limits, ...positive(c.resources?.requests) };
    if (Object.keys(limits).length || Object.keys(requests).length) any = true;
    if (COMPUTE.some((r) => limits[r] === undefined || requests[r] !== limits[r])) guaranteed = false;
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
