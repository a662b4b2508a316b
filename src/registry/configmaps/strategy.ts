// Strategy for configmaps (pkg/registry/core/configmap/strategy.go): key syntax, the 1 MiB size
// limit, and no changes to data once `immutable` is set.
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.js';
import { validateConfigMap, validateConfigMapUpdate } from '../../api/validation/configmap.js';
import { validateMetadataExtras } from '../../api/validation/objectmeta.js';
import type { StrategyFactory } from '../types.js';

const asConfigMap = (o: KubeObject) => o as unknown as ConfigMap;

export const createStrategy: StrategyFactory = () => ({
  validate: (obj) => [...validateMetadataExtras(obj.metadata), ...validateConfigMap(asConfigMap(obj))],
  validateUpdate: (obj, old) => [...validateMetadataExtras(obj.metadata), ...validateConfigMapUpdate(asConfigMap(obj), asConfigMap(old))],
});
