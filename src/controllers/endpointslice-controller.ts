// The EndpointSlice controller (pkg/controller/endpointslice): keeps the slices of every Service
// with a selector in step with its pods, through the reconciler (endpointslice-reconciler.ts).
// ExternalName and selector-less Services get no slices from here (mirroring or the user provide
// them); a deleted Service's slices are removed (upstream leaves that to the garbage collector
// through the owner reference; doing it here too means slices never outlive their Service even
// without one). It also tells users, with events on the Service, when its selector matches no
// pods or only pods that are not Ready — the two usual reasons for a Service without endpoints.
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { isNotFound } from '../client/errors.js';
import { deletedObject } from '../client/informer.js';
import { ENDPOINTSLICES, NODES, PODS, SERVICES } from '../client/kinds.js';
import { splitKey } from '../client/objects.js';
import { WorkQueue } from '../client/workqueue.js';
import {
  podEndpointFingerprint,
  POD_LABEL_INDEX,
  podLabelIndex,
  podsForService,
  selectorOf,
  selectorString,
  SERVICE_SELECTOR_INDEX,
  serviceKey,
  serviceSelectorIndex,
  servicesForPod,
} from './endpoints-util.js';
import { ENDPOINTSLICE_CONTROLLER_NAME, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, reconcile, ZONE_LABEL } from './endpointslice-reconciler.js';
import { formatTriggerTime, TRIGGER_TIME_ANNOTATION, TriggerTimeTracker } from './endpoints-trigger-time.js';
import { EndpointSliceTracker, ownSliceHandlers, STALE_RETRY_MS } from './endpointslice-tracker.js';
import type { EventRecorder } from './events/index.js';
import { workerLifecycle } from './controller-base.js';
import type { Controller, ControllerContext, ControllerDescriptor } from './index.js';

export const ENDPOINTSLICE_CONTROLLER = 'endpointslice-controller';
/** Index of our slices by `namespace/service-name`. */
export const SLICES_BY_SERVICE_INDEX = 'controllers.kubesvc.io/endpointslice-service';

export function sliceServiceIndex(s: EndpointSlice): string[] {
  const svc = s.metadata?.labels?.[LABEL_SERVICE_NAME];
  return svc ? [`${s.metadata?.namespace ?? ''}/${svc}`] : [];
}

type Health = 'no-pods' | 'none-ready' | 'ready';

/**
 * Events for "why has my Service no endpoints?" (not emitted by Kubernetes itself): one when a
 * Service's selector matches nothing, one when it matches only pods that are not Ready, and a
 * Normal one when ready endpoints come (back). Only on a change of state, so a steady Service is quiet.
 */
export class EndpointHealthEvents {
  private readonly last = new Map<string, Health>();
  constructor(private readonly recorder: EventRecorder) {}

  observe(svc: Service, matching: number, endpoints: number, ready: number): void {
    const key = serviceKey(svc);
    const sel = selectorString(selectorOf(svc) ?? {});
    const ns = svc.metadata?.namespace ?? '';
    const state: Health = matching === 0 ? 'no-pods' : ready === 0 ? 'none-ready' : 'ready';
    const before = this.last.get(key);
    if (before === state) return;
    this.last.set(key, state);
    if (state === 'no-pods') {
      this.recorder.recordEvent(svc, 'Warning', 'NoMatchingPods', `No pods in namespace ${ns} match the selector ${sel}; the Service has no endpoints`);
    } else if (state === 'none-ready') {
      const what = endpoints === 0 ? `${matching} pod(s) match the selector ${sel}, but none has an IP yet` : `${matching} pod(s) match the selector ${sel}, but none is Ready`;
      this.recorder.recordEvent(svc, 'Warning', 'NoReadyEndpoints', `${what}; the Service has no ready endpoints`);
    } else if (before !== undefined) {
      this.recorder.recordEvent(svc, 'Normal', 'EndpointsReady', `${ready} of ${matching} pod(s) matching the selector ${sel} are Ready`);
    }
  }

  forget(key: string): void {
    this.last.delete(key);
  }
}

export const endpointSliceController: ControllerDescriptor = {
  name: ENDPOINTSLICE_CONTROLLER,
  create(ctx: ControllerContext): Controller {
    const log = ctx.logger;
    const services = ctx.informers.informerFor(SERVICES, { indexers: { [SERVICE_SELECTOR_INDEX]: serviceSelectorIndex } });
    const pods = ctx.informers.informerFor(PODS, { indexers: { [POD_LABEL_INDEX]: podLabelIndex } });
    const nodes = ctx.informers.informerFor(NODES);
    const slices = ctx.informers.informerFor(ENDPOINTSLICES, { indexers: { [SLICES_BY_SERVICE_INDEX]: sliceServiceIndex } });
    const sliceClient = ctx.client.resource(ENDPOINTSLICES);
    const recorder = ctx.recorder(ENDPOINTSLICE_CONTROLLER);
    const health = new EndpointHealthEvents(recorder);
    const tracker = new EndpointSliceTracker();
    const triggerTimes = new TriggerTimeTracker();
    const queue = new WorkQueue<string>({ name: ENDPOINTSLICE_CONTROLLER, clock: ctx.clock });
    const maxPerSlice = ctx.config.maxEndpointsPerSlice;
    const ours = (s: EndpointSlice) => s.metadata?.labels?.[LABEL_MANAGED_BY] === ENDPOINTSLICE_CONTROLLER_NAME;

    const enqueuePodServices = (pod: Pod) => {
      for (const svc of servicesForPod(services, pod)) queue.add(serviceKey(svc));
    };
    services.addEventHandler({
      onAdd: (s) => queue.add(serviceKey(s)),
      onUpdate: (_o, s) => queue.add(serviceKey(s)),
      onDelete: (s) => queue.add(serviceKey(deletedObject(s))),
    });
    pods.addEventHandler({
      onAdd: enqueuePodServices,
      onUpdate: (old, cur) => {
        if (podEndpointFingerprint(old) === podEndpointFingerprint(cur)) return;
        enqueuePodServices(cur);
        enqueuePodServices(old);
      },
      onDelete: (p) => enqueuePodServices(deletedObject(p)),
    });
    // A node's zone label feeds the endpoints of the pods on it.
    nodes.addEventHandler({
      onAdd: (n, initial) => {
        if (!initial) queueNodePods(n);
      },
      onUpdate: (o, n) => {
        if (o.metadata?.labels?.[ZONE_LABEL] !== n.metadata?.labels?.[ZONE_LABEL]) queueNodePods(n);
      },
      onDelete: (n) => queueNodePods(deletedObject(n)),
    });
    function queueNodePods(n: Node) {
      const name = n.metadata?.name;
      for (const p of pods.lister.list()) if (p.spec?.nodeName === name) enqueuePodServices(p);
    }
    slices.addEventHandler(ownSliceHandlers(ours, (k) => queue.add(k), tracker));

    const sync = async (key: string): Promise<{ requeueAfterMs: number } | void> => {
      const { namespace, name } = splitKey(key);
      const ns = namespace ?? '';
      const mine = slices.lister.byIndex(SLICES_BY_SERVICE_INDEX, key).filter(ours);
      const svc = services.lister.get(ns, name);
      if (!svc) {
        health.forget(key);
        triggerTimes.forget(key);
        for (const s of mine) {
          if (s.metadata?.deletionTimestamp) continue;
          try {
            await sliceClient.delete(ns, s.metadata?.name ?? '');
          } catch (e) {
            if (!isNotFound(e)) throw e;
          }
          tracker.expectDeletion(key, s);
        }
        return;
      }
      if (svc.spec?.type === 'ExternalName') return;
      const sel = selectorOf(svc);
      if (!sel) return;
      const existing = mine.filter((s) => !s.metadata?.deletionTimestamp);
      // The cache has not caught up with our last write: the slice event that brings it will queue
      // the Service again; the delayed retry is only a safety net.
      if (tracker.stale(key, existing)) return { requeueAfterMs: STALE_RETRY_MS };
      const matching = podsForService(pods, svc, sel);
      const plan = reconcile({
        service: svc,
        pods: matching,
        node: (n) => nodes.lister.get(undefined, n),
        existing,
        maxEndpointsPerSlice: maxPerSlice,
      });
      health.observe(svc, matching.length, plan.endpoints, plan.ready);
      const triggerTime = triggerTimes.compute(key, svc, matching);
      for (const s of [...plan.create, ...plan.update]) {
        const annotations = { ...(s.metadata?.annotations ?? {}) };
        if (triggerTime) annotations[TRIGGER_TIME_ANNOTATION] = formatTriggerTime(triggerTime);
        else delete annotations[TRIGGER_TIME_ANNOTATION];
        s.metadata = { ...s.metadata, annotations: Object.keys(annotations).length ? annotations : undefined };
      }
      try {
        // No new slices for a Service being deleted (they would race the garbage collector).
        if (!svc.metadata?.deletionTimestamp) {
          for (const s of plan.create) tracker.update(key, await sliceClient.create(ns, s));
        }
        for (const s of plan.update) tracker.update(key, await sliceClient.update(ns, s));
        for (const s of plan.delete) {
          try {
            await sliceClient.delete(ns, s.metadata?.name ?? '');
          } catch (e) {
            if (!isNotFound(e)) throw e;
          }
          tracker.expectDeletion(key, s);
        }
      } catch (e) {
        if (e instanceof Error && /is being terminated/.test(e.message)) return;
        recorder.recordEvent(svc, 'Warning', 'FailedToUpdateEndpointSlices', `Error updating Endpoint Slices for Service ${ns}/${name}: ${(e as Error).message}`);
        throw e;
      }
      if (plan.missingNodes.length) {
        log.info('skipped pods on unknown nodes; retrying', { service: key, nodes: [...new Set(plan.missingNodes)].join(',') });
        return { requeueAfterMs: 1000 };
      }
    };

    return workerLifecycle(queue, ctx.config.workers, sync, log, recorder);
  },
};
