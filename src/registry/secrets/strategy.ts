// Strategy for secrets (pkg/registry/core/secret/strategy.go): stringData folded into data and
// type Opaque by default on every write; key syntax, the 1 MiB limit and each type's required keys;
// type never changes and data stays as it is once `immutable` is set.
import type { Secret } from 'kubernetes-types/core/v1.js';
import { setSecretDefaults } from '../../api/defaults/secret.js';
import { badRequest } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { validateMetadataExtras } from '../../api/validation/objectmeta.js';
import { validateSecret, validateSecretUpdate } from '../../api/validation/secret.js';
import type { StrategyFactory } from '../types.js';

const asSecret = (o: KubeObject) => o as unknown as Secret;

export const createStrategy: StrategyFactory = () => ({
  default(obj) {
    const bad = setSecretDefaults(asSecret(obj));
    // Go's JSON decoder refuses the body before anything else runs, with this text.
    if (bad) throw badRequest(`Secret in version "v1" cannot be handled as a Secret: ${bad}`);
  },
  validate: (obj) => [...validateMetadataExtras(obj.metadata), ...validateSecret(asSecret(obj))],
  validateUpdate: (obj, old) => [...validateMetadataExtras(obj.metadata), ...validateSecretUpdate(asSecret(obj), asSecret(old))],
});
