// What the DNS keeps of each watched object: only the fields answers read, plus what the informer
// itself needs (name, namespace, resourceVersion). Used as the informers' transform when the DNS
// runs its own informers, so the API's full object is garbage as soon as it has been read. Fields
// that are absent stay absent (an `undefined` property still costs a slot in every object).
import type { Namespace, Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

const TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function meta(m: ObjectMeta | undefined): Mutable<ObjectMeta> {
  const out: Mutable<ObjectMeta> = { name: m?.name };
  if (m?.namespace !== undefined) out.namespace = m.namespace;
  if (m?.resourceVersion !== undefined) out.resourceVersion = m.resourceVersion;
  return out;
}

function port<P extends ServicePort | EndpointPort>(p: P): P {
  const out = {} as P;
  if (p.name !== undefined) out.name = p.name;
  if (p.port !== undefined) out.port = p.port;
  if (p.protocol !== undefined) out.protocol = p.protocol;
  return out;
}

export function slimNamespace(n: Namespace): Namespace {
  return { metadata: meta(n.metadata) };
}

export function slimService(s: Service): Service {
  const m = meta(s.metadata);
  // A new Service's programming latency is measured from its creation.
  if (s.metadata?.creationTimestamp !== undefined) m.creationTimestamp = s.metadata.creationTimestamp;
  const src = s.spec ?? {};
  const spec: NonNullable<Service['spec']> = {};
  if (src.type !== undefined) spec.type = src.type;
  if (src.clusterIP !== undefined) spec.clusterIP = src.clusterIP;
  // The usual single-stack list repeats clusterIP: keep it only when it says more.
  if (src.clusterIPs !== undefined && !(src.clusterIPs.length === 1 && src.clusterIPs[0] === src.clusterIP)) spec.clusterIPs = src.clusterIPs;
  if (src.externalName !== undefined) spec.externalName = src.externalName;
  if (src.publishNotReadyAddresses !== undefined) spec.publishNotReadyAddresses = src.publishNotReadyAddresses;
  if (src.ports !== undefined) spec.ports = src.ports.map(port);
  return { metadata: m, spec };
}

export function slimSlice(s: EndpointSlice): EndpointSlice {
  const m = meta(s.metadata);
  const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
  if (svc !== undefined) m.labels = { [SERVICE_NAME_LABEL]: svc };
  const trigger = s.metadata?.annotations?.[TRIGGER_TIME];
  if (trigger !== undefined) m.annotations = { [TRIGGER_TIME]: trigger };
  const endpoints = (s.endpoints ?? []).map((e) => {
    const out: Endpoint = { addresses: e.addresses };
    if (e.hostname !== undefined) out.hostname = e.hostname;
    if (e.conditions?.ready !== undefined) out.conditions = { ready: e.conditions.ready };
    return out;
  });
  const out: EndpointSlice = { metadata: m, addressType: s.addressType, endpoints };
  if (s.ports !== undefined) out.ports = s.ports.map(port);
  return out;
}

export function slimPod(p: Pod): Pod {
  const status: NonNullable<Pod['status']> = {};
  if (p.status?.podIP !== undefined) status.podIP = p.status.podIP;
  if (p.status?.podIPs !== undefined && !(p.status.podIPs.length === 1 && p.status.podIPs[0]?.ip === p.status.podIP)) status.podIPs = p.status.podIPs.map((x) => ({ ip: x.ip }));
  const out: Pod = { metadata: meta(p.metadata), status };
  if (p.spec?.hostNetwork) out.spec = { containers: [], hostNetwork: true };
  return out;
}
