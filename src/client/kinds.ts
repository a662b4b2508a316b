// Typed handles on the served resources: `client.resource(SERVICES)` is a ResourceClient<Service>
// without spelling the type again. The phantom `_type` field only carries T for inference.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { ConfigMap, Endpoints, Event, Namespace, Node, Pod, Secret, Service, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { RESOURCES, type ResourceInfo } from '../api/resources.js';
import type { ApiObject } from './objects.js';

export interface Kind<T extends ApiObject> {
  readonly info: ResourceInfo;
  /** Never set: carries the object type for inference. */
  readonly _type?: T;
}

/** A resource by "<group>/<plural>" ("/services", "apps/deployments"). */
export function kind<T extends ApiObject>(id: string): Kind<T> {
  const slash = id.indexOf('/');
  const group = id.slice(0, slash);
  const plural = id.slice(slash + 1);
  const info = RESOURCES.find((r) => r.group === group && r.plural === plural);
  if (slash < 0 || !info) throw new Error(`unknown resource ${JSON.stringify(id)}: want "<group>/<plural>", e.g. "/services"`);
  return { info };
}

export const NAMESPACES = kind<Namespace>('/namespaces');
export const NODES = kind<Node>('/nodes');
export const PODS = kind<Pod>('/pods');
export const SERVICES = kind<Service>('/services');
export const ENDPOINTS = kind<Endpoints>('/endpoints');
export const EVENTS = kind<Event>('/events');
export const CONFIGMAPS = kind<ConfigMap>('/configmaps');
export const SECRETS = kind<Secret>('/secrets');
export const SERVICEACCOUNTS = kind<ServiceAccount>('/serviceaccounts');
export const ENDPOINTSLICES = kind<EndpointSlice>('discovery.k8s.io/endpointslices');
export const DEPLOYMENTS = kind<Deployment>('apps/deployments');
export const REPLICASETS = kind<ReplicaSet>('apps/replicasets');
export const STATEFULSETS = kind<StatefulSet>('apps/statefulsets');
export const LEASES = kind<Lease>('coordination.k8s.io/leases');
