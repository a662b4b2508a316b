// Strategy for replicasets (pkg/registry/apps/replicaset/strategy.go): defaulting, status cleared
// on create (replicas 0) and kept on update, the selector immutable.
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { keepOldStatus } from '../../api/defaults/status.js';
import { setReplicaSetDefaults } from '../../api/defaults/workloads.js';
import type { KubeObject } from '../../api/object.js';
import { validateReplicaSet, validateReplicaSetStatus, validateReplicaSetUpdate } from '../../api/validation/replicaset.js';
import { validateMetadataExtras } from '../../api/validation/objectmeta.js';
import type { StrategyFactory } from '../types.js';

const asReplicaSet = (o: KubeObject) => o as unknown as ReplicaSet;

export const createStrategy: StrategyFactory = () => ({
  default: (obj) => setReplicaSetDefaults(asReplicaSet(obj)),
  prepareForCreate(obj) {
    // ReplicaSetStatus.replicas has no omitempty: an empty status still shows replicas: 0.
    obj.status = { replicas: 0 };
  },
  prepareForUpdate: keepOldStatus,
  validate: (obj) => [...validateMetadataExtras(obj.metadata), ...validateReplicaSet(asReplicaSet(obj))],
  validateUpdate: (obj, old) => [...validateMetadataExtras(obj.metadata), ...validateReplicaSetUpdate(asReplicaSet(obj), asReplicaSet(old))],
  validateStatusUpdate: (obj) => validateReplicaSetStatus(asReplicaSet(obj)),
});
