// Which Strategy each served resource uses. Keyed by "<group>/<plural>" ("" group for core).
import type { StrategyFactory } from './types.js';
import { createStrategy as configmaps } from './configmaps/strategy.js';
import { createStrategy as deployments } from './deployments/strategy.js';
import { createStrategy as endpoints } from './endpoints/strategy.js';
import { createStrategy as endpointslices } from './endpointslices/strategy.js';
import { createStrategy as events } from './events/strategy.js';
import { createStrategy as leases } from './leases/strategy.js';
import { createStrategy as namespaces } from './namespaces/strategy.js';
import { createStrategy as nodes } from './nodes/strategy.js';
import { createStrategy as pods } from './pods/strategy.js';
import { createStrategy as replicasets } from './replicasets/strategy.js';
import { createStrategy as secrets } from './secrets/strategy.js';
import { createStrategy as serviceaccounts } from './serviceaccounts/strategy.js';
import { createStrategy as services } from './services/strategy.js';
import { createStrategy as statefulsets } from './statefulsets/strategy.js';

export const STRATEGY_FACTORIES: Readonly<Record<string, StrategyFactory>> = {
  '/namespaces': namespaces,
  '/nodes': nodes,
  '/pods': pods,
  '/services': services,
  '/endpoints': endpoints,
  '/events': events,
  '/configmaps': configmaps,
  '/secrets': secrets,
  '/serviceaccounts': serviceaccounts,
  'discovery.k8s.io/endpointslices': endpointslices,
  'apps/deployments': deployments,
  'apps/replicasets': replicasets,
  'apps/statefulsets': statefulsets,
  'coordination.k8s.io/leases': leases,
};
