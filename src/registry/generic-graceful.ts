// Graceful deletion of pods (the pod strategy's CheckGracefulDelete in Kubernetes): a pod bound to
// a node and still running is not removed at once; it gets deletionTimestamp = now + grace and
// deletionGracePeriodSeconds, and the node agent removes it (with gracePeriodSeconds=0) once its
// containers have stopped. Unbound or finished pods, and an explicit grace of 0, delete at once.
import type { Stored } from '../api/object.js';
import type { KindHooks } from './generic-context.js';
import type { DeleteOptions } from './generic-types.js';

const DEFAULT_TERMINATION_GRACE_S = 30;

interface PodShape {
  spec?: { nodeName?: string; terminationGracePeriodSeconds?: number };
  status?: { phase?: string };
}

export const podHooks: KindHooks = {
  gracePeriod(obj: Stored, opts: DeleteOptions): number {
    const pod = obj as Stored & PodShape;
    if (!pod.spec?.nodeName) return 0;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return 0;
    const grace = opts.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_S;
    return Math.max(0, grace);
  },
};
