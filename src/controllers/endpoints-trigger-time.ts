// The `endpoints.kubernetes.io/last-change-trigger-time` annotation (pkg/controller/util/endpoint
// TriggerTimeTracker): for each sync, the time of the oldest change not yet reflected — a pod's
// Ready condition transition, or the Service's creation on its first sync. kube-proxy and SLO
// tooling read it to measure how long a change took to reach the data plane.
import type { Pod, Service } from 'kubernetes-types/core/v1.js';

export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';

interface ServiceState {
  serviceTime: number;
  podTimes: Map<string, number>;
}

function parse(t: string | undefined): number {
  const ms = t ? Date.parse(t) : NaN;
  return Number.isFinite(ms) ? ms : 0;
}

/** time.RFC3339Nano: fractional seconds without trailing zeros, none at all for whole seconds. */
export function formatTriggerTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac ? `.${frac}Z` : 'Z'));
}

export class TriggerTimeTracker {
  private readonly services = new Map<string, ServiceState>();

  /** The trigger time for this sync (0: nothing changed since the last one); records the new state. */
  compute(key: string, svc: Service, pods: readonly Pod[]): number {
    let state = this.services.get(key);
    const known = state !== undefined;
    if (!state) this.services.set(key, (state = { serviceTime: 0, podTimes: new Map() }));
    let min = Infinity;
    if (!known) min = parse(svc.metadata?.creationTimestamp);
    const seen = new Map<string, number>();
    for (const pod of pods) {
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      const t = parse(ready?.lastTransitionTime);
      if (!t) continue;
      const name = pod.metadata?.name ?? '';
      seen.set(name, t);
      if (t > (state.podTimes.get(name) ?? 0)) min = Math.min(min, t);
    }
    state.podTimes = seen;
    const st = parse(svc.metadata?.creationTimestamp);
    if (st > state.serviceTime) {
      min = Math.min(min, st);
      state.serviceTime = st;
    }
    return Number.isFinite(min) ? min : 0;
  }

  forget(key: string): void {
    this.services.delete(key);
  }
}
