// Typed handles on the served resources: `client.resource(SERVICES)` is a ResourceClient<Service>
// without spelling the type again. The phantom `_type` field only carries T for inference.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { ConfigMap, Endpoints, Event, Namespace, Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../api/object.js';
import { RESOURCES, type ResourceInfo } from '../api/resources.js';

export interface Kind<T extends KubeObject> {
  readonly info: ResourceInfo;
  /** Never set: carries the object type for inference. */
  readonly _type?: T;
}

/** A resource by "<group>/<plural>" ("/services", "apps/deployments"). */
export function kind<T extends KubeObject>(id: string): Kind<T> {
  const slash = id.indexOf('/');
  const group = id.slice(0, slash);
  const plural = id.slice(slash + 1);
  const info = RESOURCES.find((r) => r.group === group && r.plural === plural);
  if (slash < 0 || !info) throw new Error(`unknown resource ${JSON.stringify(id)}: want "<group>/<plural>", e.g. "/services"`);
  return { info };
}

// kubernetes-types marks metadata optional, as KubeObject does; the casts only widen the index signature.
type K<T> = T & KubeObject;

export const NAMESPACES = kind<K<Namespace>>('/namespaces');
export const NODES = kind<K<Node>>('/nodes');
export const PODS = kind<K<Pod>>('/pods');
export const SERVICES = kind<K<Service>>('/services');
export const ENDPOINTS = kind<K<Endpoints>>('/endpoints');
export const EVENTS = kind<K<Event>>('/events');
export const CONFIGMAPS = kind<K<ConfigMap>>('/configmaps');
export const ENDPOINTSLICES = kind<K<EndpointSlice>>('discovery.k8s.io/endpointslices');
export const DEPLOYMENTS = kind<K<Deployment>>('apps/deployments');
export const REPLICASETS = kind<K<ReplicaSet>>('apps/replicasets');
export const STATEFULSETS = kind<K<StatefulSet>>('apps/statefulsets');
export const LEASES = kind<K<Lease>>('coordination.k8s.io/leases');
