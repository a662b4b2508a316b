// The EndpointSlice reconciler (staging/src/k8s.io/endpointslice/reconciler.go), pure: given a
// Service, its pods, the nodes and the slices it has now, decide which slices to create, update
// and delete. One set of slices per address type and per distinct port mapping; existing slices
// keep their endpoints where possible (minimal churn), new endpoints fill slices being updated
// anyway before an untouched slice is opened or a new one made; a Service with no endpoints at
// all keeps one empty placeholder slice per address type.
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { findPort, isHeadless, isIPv6, isPodReady, podIPs, shouldPodBeInEndpoints, shouldSetHostname } from './endpoints-util.js';

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const ENDPOINTSLICE_CONTROLLER_NAME = 'endpointslice-controller.k8s.io';

export type AddressType = 'IPv4' | 'IPv6';

export interface ReconcileInput {
  service: Service;
  pods: readonly Pod[];
  /** Node by name (from the node informer). */
  node(name: string): Node | undefined;
  /** Slices labelled with this Service's name and managed by this controller. */
  existing: readonly EndpointSlice[];
  maxEndpointsPerSlice: number;
  controllerName?: string;
}

export interface ReconcilePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
  /** Pods skipped because their node is not known (upstream retries the Service later). */
  missingNodes: string[];
  /** Endpoints desired, and how many of them are ready (for events). */
  endpoints: number;
  ready: number;
}

/** The address types a Service wants slices for: its IP families (IPv4 if it names none). */
export function addressTypesFor(svc: Service): AddressType[] {
  const fams = svc.spec?.ipFamilies ?? [];
  const out: AddressType[] = [];
  for (const f of fams) if ((f === 'IPv4' || f === 'IPv6') && !out.includes(f)) out.push(f);
  if (out.length === 0) {
    const cip = svc.spec?.clusterIP;
    out.push(cip && cip !== 'None' && isIPv6(cip) ? 'IPv6' : 'IPv4');
  }
  return out;
}

/** getEndpointPorts: each Service port resolved for this pod (ports the pod lacks are left out). */
export function endpointPorts(svc: Service, pod: Pod): EndpointPort[] {
  const ports: EndpointPort[] = [];
  const sps = svc.spec?.ports ?? [];
  if (sps.length === 0 && isHeadless(svc)) return ports;
  for (const sp of sps) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
    ports.push(ep);
  }
  return ports;
}

/** NewPortMapKey: the same ports in any order give the same key. */
export function portMapKey(ports: readonly EndpointPort[] | undefined): string {
  return JSON.stringify((ports ?? []).map((p) => [p.name ?? '', p.port ?? 0, p.protocol ?? 'TCP', p.appProtocol ?? '']).sort());
}

/** podToEndpoint. */
export function podToEndpoint(pod: Pod, node: Node | undefined, svc: Service, addressType: AddressType): Endpoint {
  const serving = isPodReady(pod);
  const terminating = Boolean(pod.metadata?.deletionTimestamp);
  // Never ready while terminating, unless the Service publishes not-ready addresses.
  const ready = svc.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: Endpoint = {
    addresses: podIPs(pod).filter((ip) => isIPv6(ip) === (addressType === 'IPv6')),
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata?.labels?.[ZONE_LABEL];
  if (zone) ep.zone = zone;
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec?.hostname;
  return ep;
}

/** hashEndpoint: identity of an endpoint across syncs (addresses, hostname, target pod). */
function endpointIdentity(ep: Endpoint): string {
  return JSON.stringify([[...ep.addresses].sort(), ep.hostname ?? '', ep.targetRef?.namespace ?? '', ep.targetRef?.name ?? '']);
}

/** EndpointsEqualBeyondHash: everything else an endpoint carries. */
function endpointDetail(ep: Endpoint): string {
  const c = ep.conditions ?? {};
  const t = ep.targetRef;
  return JSON.stringify([
    c.ready ?? null,
    c.serving ?? null,
    c.terminating ?? null,
    ep.zone ?? '',
    ep.nodeName ?? '',
    ep.hints ?? null,
    t ? [t.kind ?? '', t.namespace ?? '', t.name ?? '', t.uid ?? '', t.apiVersion ?? '', t.resourceVersion ?? '', t.fieldPath ?? ''] : null,
  ]);
}

/** The labels a slice of this Service carries: the Service's own (minus reserved keys), headless mark, ours. */
export function sliceLabels(svc: Service, controllerName: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata?.labels ?? {})) {
    if (k === LABEL_SERVICE_NAME || k === LABEL_MANAGED_BY) continue;
    labels[k] = v;
  }
  if (isHeadless(svc)) labels[LABEL_HEADLESS] = '';
  else delete labels[LABEL_HEADLESS];
  labels[LABEL_SERVICE_NAME] = svc.metadata?.name ?? '';
  labels[LABEL_MANAGED_BY] = controllerName;
  return labels;
}

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b).length && ka.every((k) => a?.[k] === b[k]);
}

export function ownedBy(slice: EndpointSlice, svc: Service): boolean {
  return (slice.metadata?.ownerReferences ?? []).some((r) => r.uid === svc.metadata?.uid && r.kind === 'Service' && r.apiVersion === 'v1');
}

export function newSlice(svc: Service, ports: EndpointPort[], addressType: AddressType, controllerName: string): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata?.name ?? ''}-`,
      namespace: svc.metadata?.namespace,
      labels: sliceLabels(svc, controllerName),
      ownerReferences: [
        { apiVersion: 'v1', kind: 'Service', name: svc.metadata?.name ?? '', uid: svc.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true },
      ],
    },
    addressType,
    endpoints: [],
    ports,
  };
}

function isPlaceholder(slice: EndpointSlice, svc: Service, addressType: AddressType, controllerName: string): boolean {
  return (
    (slice.endpoints ?? []).length === 0 &&
    (slice.ports ?? []).length === 0 &&
    slice.addressType === addressType &&
    ownedBy(slice, svc) &&
    sameLabels(slice.metadata?.labels, sliceLabels(svc, controllerName))
  );
}

/** An ordered set of desired endpoints by identity (Go's map order is random; ours is the pods' order). */
class EndpointSet {
  private readonly m = new Map<string, Endpoint>();
  get size(): number {
    return this.m.size;
  }
  insert(ep: Endpoint): void {
    this.m.set(endpointIdentity(ep), ep);
  }
  get(ep: Endpoint): Endpoint | undefined {
    return this.m.get(endpointIdentity(ep));
  }
  delete(ep: Endpoint): void {
    this.m.delete(endpointIdentity(ep));
  }
  pop(): Endpoint {
    const [k, v] = this.m.entries().next().value as [string, Endpoint];
    this.m.delete(k);
    return v;
  }
}

function mutableCopy(slice: EndpointSlice): EndpointSlice {
  return structuredClone(slice) as EndpointSlice;
}

export function reconcile(input: ReconcileInput): ReconcilePlan {
  const { service: svc, maxEndpointsPerSlice: max } = input;
  const controllerName = input.controllerName ?? ENDPOINTSLICE_CONTROLLER_NAME;
  const plan: ReconcilePlan = { create: [], update: [], delete: [], missingNodes: [], endpoints: 0, ready: 0 };
  const types = addressTypesFor(svc);
  const byType = new Map<string, EndpointSlice[]>();
  for (const s of input.existing) {
    if (!types.includes(s.addressType as AddressType) || !ownedBy(s, svc)) {
      plan.delete.push(s);
      continue;
    }
    const list = byType.get(s.addressType) ?? [];
    list.push(s);
    byType.set(s.addressType, list);
  }
  for (const t of types) reconcileAddressType(input, controllerName, t, byType.get(t) ?? [], plan, max);
  finalize(plan, svc);
  return plan;
}

function reconcileAddressType(input: ReconcileInput, controllerName: string, addressType: AddressType, existing: EndpointSlice[], plan: ReconcilePlan, max: number): void {
  const svc = input.service;
  const create: EndpointSlice[] = [];
  const update: EndpointSlice[] = [];
  const del: EndpointSlice[] = [];
  const existingByPorts = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    const k = portMapKey(s.ports);
    existingByPorts.set(k, [...(existingByPorts.get(k) ?? []), s]);
  }
  const desiredByPorts = new Map<string, { ports: EndpointPort[]; set: EndpointSet }>();
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  for (const pod of input.pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPorts(svc, pod);
    const k = portMapKey(ports);
    let d = desiredByPorts.get(k);
    if (!d) desiredByPorts.set(k, (d = { ports, set: new EndpointSet() }));
    const nodeName = pod.spec?.nodeName ?? '';
    const node = input.node(nodeName);
    if (!node && !publishNotReady) {
      // A pod bound to a node we do not know is left out, and the Service retried later.
      plan.missingNodes.push(nodeName);
      continue;
    }
    const ep = podToEndpoint(pod, node, svc, addressType);
    if (ep.addresses.length > 0) {
      d.set.insert(ep);
      plan.endpoints++;
      if (ep.conditions?.ready) plan.ready++;
    }
  }
  for (const [k, d] of desiredByPorts) {
    const r = reconcilePortMapping(svc, controllerName, addressType, existingByPorts.get(k) ?? [], d.set, d.ports, max);
    create.push(...r.create);
    update.push(...r.update);
    del.push(...r.delete);
  }
  for (const [k, slices] of existingByPorts) if (!desiredByPorts.has(k)) del.push(...slices);
  if (existing.length === del.length && create.length === 0) {
    const only = del.length === 1 ? del[0] : undefined;
    if (only && isPlaceholder(only, svc, addressType, controllerName)) del.length = 0;
    else create.push(newSlice(svc, [], addressType, controllerName));
  }
  plan.create.push(...create);
  plan.update.push(...update);
  plan.delete.push(...del);
}

function reconcilePortMapping(
  svc: Service,
  controllerName: string,
  addressType: AddressType,
  existing: EndpointSlice[],
  desired: EndpointSet,
  ports: EndpointPort[],
  max: number,
): { create: EndpointSlice[]; update: EndpointSlice[]; delete: EndpointSlice[] } {
  const byName = new Map<string, EndpointSlice>();
  const unchanged = new Set<string>();
  const toUpdate = new Set<string>();
  const toDelete = new Set<string>();
  const labels = sliceLabels(svc, controllerName);
  // 1. Keep desired endpoints where they are, drop the rest, refresh changed ones.
  for (const s of existing) {
    const name = s.metadata?.name ?? '';
    byName.set(name, s);
    const kept: Endpoint[] = [];
    let changed = false;
    for (const ep of s.endpoints ?? []) {
      const want = desired.get(ep);
      if (!want) continue;
      kept.push(want);
      if (endpointDetail(want) !== endpointDetail(ep)) changed = true;
      desired.delete(ep);
    }
    const labelsChanged = !sameLabels(s.metadata?.labels, labels);
    if (changed || kept.length !== (s.endpoints ?? []).length) {
      if (kept.length === 0) toDelete.add(name);
      else {
        const copy = mutableCopy(s);
        copy.endpoints = kept;
        copy.metadata = { ...copy.metadata, labels };
        byName.set(name, copy);
        toUpdate.add(name);
      }
    } else if (labelsChanged) {
      const copy = mutableCopy(s);
      copy.metadata = { ...copy.metadata, labels };
      byName.set(name, copy);
      toUpdate.add(name);
    } else {
      unchanged.add(name);
    }
  }
  // 2. Fill slices that are being written anyway, fullest first.
  if (desired.size > 0 && toUpdate.size > 0) {
    const slices = [...toUpdate].map((n) => byName.get(n) as EndpointSlice).sort((a, b) => (b.endpoints?.length ?? 0) - (a.endpoints?.length ?? 0));
    for (const s of slices) {
      const eps = (s.endpoints ??= []);
      while (desired.size > 0 && eps.length < max) eps.push(desired.pop());
    }
  }
  // 3. Fit what is left into one untouched slice with room (the fullest that fits), else new slices.
  const create: EndpointSlice[] = [];
  while (desired.size > 0) {
    let fill: EndpointSlice | undefined;
    if (desired.size < max && unchanged.size > 0) {
      for (const n of unchanged) {
        const s = byName.get(n) as EndpointSlice;
        const len = s.endpoints?.length ?? 0;
        if (len + desired.size <= max && (!fill || len > (fill.endpoints?.length ?? 0))) fill = s;
      }
    }
    if (fill) {
      fill = mutableCopy(fill);
      byName.set(fill.metadata?.name ?? '', fill);
    } else {
      fill = newSlice(svc, ports, addressType, controllerName);
    }
    const eps = (fill.endpoints ??= []);
    while (desired.size > 0 && eps.length < max) eps.push(desired.pop());
    const name = fill.metadata?.name;
    if (name) {
      toUpdate.add(name);
      unchanged.delete(name);
    } else {
      create.push(fill);
    }
  }
  return {
    create,
    update: [...toUpdate].map((n) => byName.get(n) as EndpointSlice),
    delete: [...toDelete].map((n) => byName.get(n) as EndpointSlice),
  };
}

/** finalize: a slice about to be deleted is reused for one about to be created (same address type, ours). */
function finalize(plan: ReconcilePlan, svc: Service): void {
  for (let i = 0; i < plan.delete.length && plan.create.length > 0; ) {
    const victim = plan.delete[i] as EndpointSlice;
    const fresh = plan.create[plan.create.length - 1] as EndpointSlice;
    if (victim.addressType === fresh.addressType && ownedBy(victim, svc)) {
      fresh.metadata = { ...victim.metadata, labels: fresh.metadata?.labels, ownerReferences: fresh.metadata?.ownerReferences, generateName: victim.metadata?.generateName };
      plan.create.pop();
      plan.update.push(fresh);
      plan.delete.splice(i, 1);
    } else {
      i++;
    }
  }
}
