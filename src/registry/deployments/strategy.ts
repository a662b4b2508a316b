// Strategy for deployments (pkg/registry/apps/deployment/strategy.go): apps/v1 defaulting, status
// cleared on create and kept on update, the selector immutable.
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import { keepOldStatus } from '../../api/defaults/status.js';
import { setDeploymentDefaults } from '../../api/defaults/workloads.js';
import type { KubeObject } from '../../api/object.js';
import { validateDeployment, validateDeploymentStatus, validateDeploymentUpdate } from '../../api/validation/deployment.js';
import { validateMetadataExtras } from '../../api/validation/objectmeta.js';
import type { StrategyFactory } from '../types.js';

const asDeployment = (o: KubeObject) => o as unknown as Deployment;

export const createStrategy: StrategyFactory = () => ({
  default: (obj) => setDeploymentDefaults(asDeployment(obj)),
  prepareForCreate(obj) {
    obj.status = {};
  },
  prepareForUpdate: keepOldStatus,
  validate: (obj) => [...validateMetadataExtras(obj.metadata), ...validateDeployment(asDeployment(obj))],
  validateUpdate: (obj, old) => [...validateMetadataExtras(obj.metadata), ...validateDeploymentUpdate(asDeployment(obj), asDeployment(old))],
  validateStatusUpdate: (obj) => validateDeploymentStatus(asDeployment(obj)),
});
