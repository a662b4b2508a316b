// Strategy for leases (pkg/registry/coordination/lease/strategy.go): positive durations, no status.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { KubeObject } from '../../api/object.js';
import { validateLease } from '../../api/validation/lease.js';
import { validateMetadataExtras } from '../../api/validation/objectmeta.js';
import type { StrategyFactory } from '../types.js';

const asLease = (o: KubeObject) => o as unknown as Lease;

export const createStrategy: StrategyFactory = () => ({
  validate: (obj) => [...validateMetadataExtras(obj.metadata), ...validateLease(asLease(obj))],
});
