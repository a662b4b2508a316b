// Strategy for statefulsets (pkg/registry/apps/statefulset/strategy.go): defaulting, status cleared
// on create and kept on update; only some spec fields may change.
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import { keepOldStatus } from '../../api/defaults/status.js';
import { setStatefulSetDefaults } from '../../api/defaults/workloads.js';
import type { KubeObject } from '../../api/object.js';
import { validateStatefulSet, validateStatefulSetStatus, validateStatefulSetUpdate } from '../../api/validation/statefulset.js';
import { validateMetadataExtras } from '../../api/validation/objectmeta.js';
import type { StrategyFactory } from '../types.js';

const asStatefulSet = (o: KubeObject) => o as unknown as StatefulSet;

export const createStrategy: StrategyFactory = () => ({
  default: (obj) => setStatefulSetDefaults(asStatefulSet(obj)),
  prepareForCreate(obj) {
    // replicas and availableReplicas have no omitempty in StatefulSetStatus.
    obj.status = { replicas: 0, availableReplicas: 0 };
  },
  prepareForUpdate: keepOldStatus,
  validate: (obj) => [...validateMetadataExtras(obj.metadata), ...validateStatefulSet(asStatefulSet(obj))],
  validateUpdate: (obj, old) => [...validateMetadataExtras(obj.metadata), ...validateStatefulSetUpdate(asStatefulSet(obj), asStatefulSet(old))],
  validateStatusUpdate: (obj) => validateStatefulSetStatus(asStatefulSet(obj)),
});
