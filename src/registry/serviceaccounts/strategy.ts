// Strategy for serviceaccounts (pkg/registry/core/serviceaccount/strategy.go): the object is
// metadata plus references, so only the common metadata checks apply (names are DNS subdomains,
// checked by the generic registry like every kind's).
import { validateMetadataExtras } from '../../api/validation/objectmeta.js';
import type { StrategyFactory } from '../types.js';

export const createStrategy: StrategyFactory = () => ({
  validate: (obj) => validateMetadataExtras(obj.metadata),
  validateUpdate: (obj) => validateMetadataExtras(obj.metadata),
});
