// Strategy for Endpoints: protocol defaulting and Kubernetes' ValidateEndpoints rules.
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.js';
import { setEndpointsDefaults, validateEndpoints } from '../../api/validation/endpoints.js';
import type { StrategyFactory } from '../types.js';

const ep = (o: KubeObject) => o as unknown as Endpoints;

export const createStrategy: StrategyFactory = () => ({
  default: (obj) => setEndpointsDefaults(ep(obj)),
  validate: (obj) => validateEndpoints(ep(obj)),
  validateUpdate: (obj) => validateEndpoints(ep(obj)),
});
