// Strategy for EndpointSlices: port defaulting and Kubernetes' discovery validation rules
// (addressType immutable on update).
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../../api/object.js';
import { setEndpointSliceDefaults, validateEndpointSlice, validateEndpointSliceUpdate } from '../../api/validation/endpointslice.js';
import type { StrategyFactory } from '../types.js';

const slice = (o: KubeObject) => o as unknown as EndpointSlice;

export const createStrategy: StrategyFactory = () => ({
  default: (obj) => setEndpointSliceDefaults(slice(obj)),
  validate: (obj) => validateEndpointSlice(slice(obj)),
  validateUpdate: (obj, old) => validateEndpointSliceUpdate(slice(obj), slice(old)),
});
