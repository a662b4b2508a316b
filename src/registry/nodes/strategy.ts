// Strategy for nodes (pkg/registry/core/node/strategy.go). Unlike most kinds a node keeps the status
// it is created with: the node agent registers itself with its addresses and capacity.
import type { Node } from 'kubernetes-types/core/v1.js';
import { setNodeDefaults } from '../../api/defaults/cluster.js';
import { keepOldStatus } from '../../api/defaults/status.js';
import type { KubeObject } from '../../api/object.js';
import { validateNode } from '../../api/validation/node.js';
import { validateMetadataExtras } from '../../api/validation/objectmeta.js';
import type { StrategyFactory } from '../types.js';

const asNode = (o: KubeObject) => o as unknown as Node;

export const createStrategy: StrategyFactory = () => ({
  default: (obj) => setNodeDefaults(asNode(obj)),
  prepareForUpdate: keepOldStatus,
  validate: (obj) => [...validateMetadataExtras(obj.metadata), ...validateNode(asNode(obj))],
  validateStatusUpdate: (obj) => validateNode(asNode(obj)),
});
