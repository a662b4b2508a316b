// The EndpointSlice mirroring controller (pkg/controller/endpointslicemirroring): a user's
// Endpoints for a Service without a selector are mirrored into EndpointSlices (managed-by
// endpointslicemirroring-controller.k8s.io), so everything that reads slices — describe, DNS, the
// proxy — sees them. One slice per address type and port set (each subset after repacking), at
// most mirroringMaxEndpointsPerSubset addresses each; the slices are owned by the Endpoints.
import type { EndpointAddress, Endpoints } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { isIP } from 'node:net';
import { isNotFound } from '../client/errors.js';
import { deletedObject } from '../client/informer.js';
import { ENDPOINTS, ENDPOINTSLICES, SERVICES } from '../client/kinds.js';
import { splitKey } from '../client/objects.js';
import { WorkQueue } from '../client/workqueue.js';
import { repackSubsets } from './endpoints-subsets.js';
import { selectorOf, serviceKey } from './endpoints-util.js';
import { SLICES_BY_SERVICE_INDEX, sliceServiceIndex } from './endpointslice-controller.js';
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME, portMapKey, type AddressType } from './endpointslice-reconciler.js';
import { EndpointSliceTracker, ownSliceHandlers, STALE_RETRY_MS } from './endpointslice-tracker.js';
import { workerLifecycle } from './controller-base.js';
import type { Controller, ControllerContext, ControllerDescriptor } from './index.js';

export const ENDPOINTSLICE_MIRRORING_CONTROLLER = 'endpointslice-mirroring-controller';
export const MIRRORING_CONTROLLER_NAME = 'endpointslicemirroring-controller.k8s.io';
export const LABEL_SKIP_MIRROR = 'endpointslice.kubernetes.io/skip-mirror';
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';
const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';
const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

export interface MirrorPlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
  invalidAddresses: number;
  skippedAddresses: number;
}

/** The IP in canonical form, or undefined if it is not one (ParseIPSloppy + String). */
function canonicalIP(ip: string): { ip: string; type: AddressType } | undefined {
  const v = isIP(ip);
  if (v === 4) return { ip: ip.split('.').map((o) => String(Number(o))).join('.'), type: 'IPv4' };
  if (v === 6) {
    try {
      return { ip: new URL(`http://[${ip}]/`).hostname.slice(1, -1), type: 'IPv6' };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function addressToEndpoint(a: EndpointAddress, ip: string, ready: boolean): Endpoint {
  const ep: Endpoint = { addresses: [ip], conditions: { ready } };
  if (a.targetRef) ep.targetRef = a.targetRef;
  if (a.nodeName) ep.nodeName = a.nodeName;
  if (a.hostname) ep.hostname = a.hostname;
  return ep;
}

function mirroredMeta(ep: Endpoints): { labels: Record<string, string>; annotations: Record<string, string> } {
  const labels: Record<string, string> = { ...(ep.metadata?.labels ?? {}) };
  labels[LABEL_SERVICE_NAME] = ep.metadata?.name ?? '';
  labels[LABEL_MANAGED_BY] = MIRRORING_CONTROLLER_NAME;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(ep.metadata?.annotations ?? {})) {
    if (k !== TRIGGER_TIME_ANNOTATION && k !== LAST_APPLIED_ANNOTATION) annotations[k] = v;
  }
  return { labels, annotations };
}

function sameMap(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b).length && ka.every((k) => a?.[k] === b[k]);
}

function endpointKey(e: Endpoint): string {
  return JSON.stringify([e.addresses, e.hostname ?? '', e.targetRef?.namespace ?? '', e.targetRef?.name ?? '']);
}

function endpointFull(e: Endpoint): string {
  return JSON.stringify([endpointKey(e), e.conditions?.ready ?? null, e.nodeName ?? '', e.targetRef ?? null]);
}

/** What the mirrored slices of these Endpoints should be, given the ones that exist (pure, for tests). */
export function planMirror(ep: Endpoints, existing: readonly EndpointSlice[], maxPerSubset: number): MirrorPlan {
  const plan: MirrorPlan = { create: [], update: [], delete: [], invalidAddresses: 0, skippedAddresses: 0 };
  const desired = new Map<string, { ports: EndpointPort[]; type: AddressType; eps: Map<string, Endpoint> }>();
  const entries = (ep.subsets ?? []).flatMap((s) => {
    const ports = s.ports ?? [];
    return [
      ...(s.addresses ?? []).map((address) => ({ address, ready: true, ports })),
      ...(s.notReadyAddresses ?? []).map((address) => ({ address, ready: false, ports })),
    ];
  });
  for (const subset of repackSubsets(entries)) {
    const ports: EndpointPort[] = (subset.ports ?? []).map((p) => {
      const o: EndpointPort = { name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' };
      if (p.appProtocol) o.appProtocol = p.appProtocol;
      return o;
    });
    const all = [...(subset.addresses ?? []).map((a) => ({ a, ready: true })), ...(subset.notReadyAddresses ?? []).map((a) => ({ a, ready: false }))];
    let added = 0;
    for (const { a, ready } of all) {
      if (added >= maxPerSubset) break;
      const ip = canonicalIP(a.ip);
      if (!ip) {
        plan.invalidAddresses++;
        continue;
      }
      const key = `${ip.type}-${portMapKey(ports)}`;
      let d = desired.get(key);
      if (!d) desired.set(key, (d = { ports, type: ip.type, eps: new Map() }));
      const e = addressToEndpoint(a, ip.ip, ready);
      d.eps.set(endpointKey(e), e);
      added++;
    }
    plan.skippedAddresses += all.length - added;
  }
  const { labels, annotations } = mirroredMeta(ep);
  const existingByKey = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    const k = `${s.addressType}-${portMapKey(s.ports)}`;
    existingByKey.set(k, [...(existingByKey.get(k) ?? []), s]);
  }
  for (const [k, slices] of existingByKey) if (!desired.has(k)) plan.delete.push(...slices);
  for (const [k, d] of desired) {
    const have = existingByKey.get(k) ?? [];
    plan.delete.push(...have.slice(1));
    const first = have[0];
    const eps = [...d.eps.values()];
    if (first) {
      const cur = (first.endpoints ?? []).map(endpointFull).sort().join('\n');
      const want = eps.map(endpointFull).sort().join('\n');
      if (cur === want && sameMap(first.metadata?.labels, labels) && sameMap(first.metadata?.annotations, annotations)) continue;
    }
    const slice: EndpointSlice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        ...(first ? structuredClone(first.metadata) : { generateName: `${ep.metadata?.name ?? ''}-`, namespace: ep.metadata?.namespace }),
        labels,
        annotations: Object.keys(annotations).length ? annotations : undefined,
        ownerReferences: [
          { apiVersion: 'v1', kind: 'Endpoints', name: ep.metadata?.name ?? '', uid: ep.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true },
        ],
      },
      addressType: d.type,
      endpoints: eps,
      ports: d.ports,
    };
    (first ? plan.update : plan.create).push(slice);
  }
  // recycleSlices: reuse a slice about to be deleted instead of creating one of the same address type.
  for (let i = 0; i < plan.delete.length && plan.create.length > 0; ) {
    const victim = plan.delete[i] as EndpointSlice;
    const j = plan.create.findIndex((c) => c.addressType === victim.addressType);
    if (j < 0) {
      i++;
      continue;
    }
    const fresh = plan.create.splice(j, 1)[0] as EndpointSlice;
    fresh.metadata = { ...structuredClone(victim.metadata), labels: fresh.metadata?.labels, annotations: fresh.metadata?.annotations, ownerReferences: fresh.metadata?.ownerReferences };
    plan.update.push(fresh);
    plan.delete.splice(i, 1);
  }
  return plan;
}

export const endpointSliceMirroringController: ControllerDescriptor = {
  name: ENDPOINTSLICE_MIRRORING_CONTROLLER,
  create(ctx: ControllerContext): Controller {
    const log = ctx.logger;
    const services = ctx.informers.informerFor(SERVICES);
    const endpoints = ctx.informers.informerFor(ENDPOINTS);
    const slices = ctx.informers.informerFor(ENDPOINTSLICES, { indexers: { [SLICES_BY_SERVICE_INDEX]: sliceServiceIndex } });
    const sliceClient = ctx.client.resource(ENDPOINTSLICES);
    const recorder = ctx.recorder(ENDPOINTSLICE_MIRRORING_CONTROLLER);
    const tracker = new EndpointSliceTracker();
    const queue = new WorkQueue<string>({ name: ENDPOINTSLICE_MIRRORING_CONTROLLER, clock: ctx.clock });
    const maxPerSubset = ctx.config.mirroringMaxEndpointsPerSubset;
    const ours = (s: EndpointSlice) => s.metadata?.labels?.[LABEL_MANAGED_BY] === MIRRORING_CONTROLLER_NAME;
    const enqueue = (o: { metadata?: { namespace?: string; name?: string } }) => queue.add(serviceKey(o));

    services.addEventHandler({
      onAdd: enqueue,
      onUpdate: (o, s) => {
        // Only a selector appearing or going away changes whether we mirror.
        if (Boolean(selectorOf(o)) !== Boolean(selectorOf(s)) || o.spec?.clusterIP !== s.spec?.clusterIP) enqueue(s);
      },
      onDelete: (s) => enqueue(deletedObject(s)),
    });
    endpoints.addEventHandler({
      onAdd: enqueue,
      onUpdate: (_o, e) => enqueue(e),
      onDelete: (e) => enqueue(deletedObject(e)),
    });
    slices.addEventHandler(ownSliceHandlers(ours, (k) => queue.add(k), tracker));

    const deleteAll = async (key: string, ns: string, list: readonly EndpointSlice[]) => {
      for (const s of list) {
        if (s.metadata?.deletionTimestamp) continue;
        try {
          await sliceClient.delete(ns, s.metadata?.name ?? '');
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
        tracker.expectDeletion(key, s);
      }
    };

    const sync = async (key: string): Promise<{ requeueAfterMs: number } | void> => {
      const { namespace, name } = splitKey(key);
      const ns = namespace ?? '';
      const mirrored = slices.lister.byIndex(SLICES_BY_SERVICE_INDEX, key).filter(ours);
      const svc = services.lister.get(ns, name);
      const ep = endpoints.lister.get(ns, name);
      // Only a selector-less Service's own Endpoints are mirrored; anything else loses its mirrors.
      const mirror =
        svc &&
        !selectorOf(svc) &&
        ep &&
        ep.metadata?.labels?.[LABEL_SKIP_MIRROR] !== 'true' &&
        ep.metadata?.annotations?.[LEADER_ANNOTATION] === undefined;
      if (!mirror) {
        await deleteAll(key, ns, mirrored);
        if (!svc) tracker.deleteService(key);
        return;
      }
      const existing = mirrored.filter((s) => !s.metadata?.deletionTimestamp);
      // The cache has not caught up with our last write: the slice event that brings it will queue
      // the Service again; the delayed retry is only a safety net.
      if (tracker.stale(key, existing)) return { requeueAfterMs: STALE_RETRY_MS };
      const plan = planMirror(ep, existing, maxPerSubset);
      if (plan.invalidAddresses > 0) {
        recorder.recordEvent(ep, 'Warning', 'InvalidIPAddress', `Skipped ${plan.invalidAddresses} invalid IP addresses when mirroring to EndpointSlices`);
      }
      if (plan.skippedAddresses > plan.invalidAddresses) {
        recorder.recordEvent(
          ep,
          'Warning',
          'TooManyAddressesToMirror',
          `A max of ${maxPerSubset} addresses can be mirrored to EndpointSlices per Endpoints subset. ${plan.skippedAddresses} addresses were skipped`,
        );
      }
      try {
        if (!ep.metadata?.deletionTimestamp) for (const s of plan.create) tracker.update(key, await sliceClient.create(ns, s));
        for (const s of plan.update) tracker.update(key, await sliceClient.update(ns, s));
        await deleteAll(key, ns, plan.delete);
      } catch (e) {
        if (e instanceof Error && /is being terminated/.test(e.message)) return;
        throw e;
      }
    };

    return workerLifecycle(queue, ctx.config.workers, sync, log, recorder);
  },
};
