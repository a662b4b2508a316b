// Strategy for pods: PodSpec defaulting, validation and the update rules of
// pkg/registry/core/pod/strategy.go. A new pod's status is Pending with its QoS class; spec updates
// are limited (see validatePodUpdate); a status update changes nothing but status; the
// ephemeralcontainers subresource only adds ephemeral containers (ephemeral.ts).
import type { Pod } from 'kubernetes-types/core/v1.js';
import { setPodDefaults } from '../../api/defaults/pod.js';
import { admitPodServiceAccount, mirrorServiceAccountAlias } from '../../api/defaults/pod-service-account.js';
import { podQOSClass } from '../../api/defaults/qos.js';
import { keepOldStatus } from '../../api/defaults/status.js';
import type { KubeObject } from '../../api/object.js';
import { validatePod, validatePodStatusUpdate, validatePodUpdate } from '../../api/validation/pod.js';
import { validateMetadataExtras } from '../../api/validation/objectmeta.js';
import type { StrategyFactory } from '../types.js';
import { validateEphemeralContainersUpdate } from './ephemeral.js';

const asPod = (o: KubeObject) => o as unknown as Pod;
type Writable = { status?: Record<string, unknown> };

export const createStrategy: StrategyFactory = () => ({
  default(obj) {
    setPodDefaults(asPod(obj));
    mirrorServiceAccountAlias(asPod(obj).spec);
  },
  prepareForCreate(obj) {
    const pod = asPod(obj);
    admitPodServiceAccount(pod);
    const status: Record<string, unknown> = { phase: 'Pending', qosClass: podQOSClass(pod) };
    // A pod with scheduling gates says why it is not scheduled.
    if ((pod.spec?.schedulingGates ?? []).length) {
      status.conditions = [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates', lastProbeTime: null, lastTransitionTime: null }];
    }
    (obj as Writable).status = status;
  },
  prepareForUpdate: keepOldStatus,
  validate: (obj) => [...validateMetadataExtras(obj.metadata), ...validatePod(asPod(obj))],
  validateUpdate: (obj, old) => [...validateMetadataExtras(obj.metadata), ...validatePodUpdate(asPod(obj), asPod(old))],
  validateStatusUpdate: (obj) => validatePodStatusUpdate(asPod(obj)),
  // pods/ephemeralcontainers: the new containers get the container defaults; only additions pass.
  prepareForEphemeralContainersUpdate: (obj) => setPodDefaults(asPod(obj)),
  validateEphemeralContainersUpdate: (obj, old) => validateEphemeralContainersUpdate(asPod(obj), asPod(old)),
});
