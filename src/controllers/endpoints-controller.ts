// The Endpoints controller (pkg/controller/endpoint): for every Service with a selector, an
// Endpoints object of the same name listing the matching pods — Ready ones in `addresses`, the
// rest in `notReadyAddresses` (all in `addresses` with publishNotReadyAddresses), terminating and
// finished pods left out. ExternalName and selector-less Services are left alone (their Endpoints
// belong to the user); Endpoints whose Service is gone are deleted.
import type { EndpointAddress, EndpointPort, Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, isNotFound } from '../client/errors.js';
import { deletedObject } from '../client/informer.js';
import { ENDPOINTS, PODS, SERVICES } from '../client/kinds.js';
import { splitKey } from '../client/objects.js';
import { WorkQueue } from '../client/workqueue.js';
import {
  findPort,
  isHeadless,
  isIPv6,
  isPodReady,
  podEndpointFingerprint,
  POD_LABEL_INDEX,
  podLabelIndex,
  podsForService,
  podIPs,
  selectorOf,
  SERVICE_SELECTOR_INDEX,
  serviceKey,
  serviceSelectorIndex,
  servicesForPod,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from './endpoints-util.js';
import { formatTriggerTime, TRIGGER_TIME_ANNOTATION, TriggerTimeTracker } from './endpoints-trigger-time.js';
import { OVER_CAPACITY_ANNOTATION, repackSubsets, truncateSubsets, type PodEntry } from './endpoints-subsets.js';
import { workerLifecycle } from './controller-base.js';
import type { Controller, ControllerContext, ControllerDescriptor } from './index.js';

export const ENDPOINT_CONTROLLER = 'endpoint-controller';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
/** Marks Endpoints written by this controller (kube-controller-manager sets it since 1.33). */
export const ENDPOINTS_MANAGED_BY_LABEL = 'endpoints.kubernetes.io/managed-by';
/** Endpoints carrying this annotation are leader-election locks, not Service endpoints. */
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';

/** The pod's IP of the Service's (primary) family, as podToEndpointAddressForService. */
function podIPForService(svc: Service, pod: Pod): string | undefined {
  const ips = podIPs(pod);
  const family = svc.spec?.ipFamilies?.[0];
  if (!family) {
    const cip = svc.spec?.clusterIP;
    if (cip && cip !== 'None') return ips.find((ip) => isIPv6(ip) === isIPv6(cip));
    return ips[0];
  }
  return ips.find((ip) => isIPv6(ip) === (family === 'IPv6'));
}

/** The subsets the Service should have now (pure, for tests). */
export function desiredSubsets(svc: Service, pods: readonly Pod[]): { subsets: Endpoints['subsets']; truncated: boolean } {
  const tolerateUnready = svc.spec?.publishNotReadyAddresses === true;
  const entries: PodEntry[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const ip = podIPForService(svc, pod);
    if (!ip) continue;
    const address: EndpointAddress = { ip };
    if (shouldSetHostname(pod, svc)) address.hostname = pod.spec?.hostname;
    if (pod.spec?.nodeName) address.nodeName = pod.spec.nodeName;
    address.targetRef = { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid };
    const ready = tolerateUnready || isPodReady(pod);
    const svcPorts = svc.spec?.ports ?? [];
    if (svcPorts.length === 0) {
      if (isHeadless(svc)) entries.push({ address, ready, ports: [] });
      continue;
    }
    for (const sp of svcPorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const ep: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
      if (sp.name) ep.name = sp.name;
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      entries.push({ address, ready, ports: [ep] });
    }
  }
  const subsets = repackSubsets(entries);
  const truncated = truncateSubsets(subsets);
  return { subsets: subsets.filter((s) => s.addresses?.length || s.notReadyAddresses?.length), truncated };
}

function sameJSON(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => a?.[k] === b?.[k]);
}

/** Endpoints stored without `resourceVersion` inside targetRef etc. compare equal to freshly built ones. */
function normalizedSubsets(s: Endpoints['subsets']): unknown {
  return (s ?? []).map((sub) => ({
    addresses: sub.addresses ?? [],
    notReadyAddresses: sub.notReadyAddresses ?? [],
    ports: sub.ports ?? [],
  }));
}

export const endpointsController: ControllerDescriptor = {
  name: ENDPOINT_CONTROLLER,
  create(ctx: ControllerContext): Controller {
    const log = ctx.logger;
    const services = ctx.informers.informerFor(SERVICES, { indexers: { [SERVICE_SELECTOR_INDEX]: serviceSelectorIndex } });
    const pods = ctx.informers.informerFor(PODS, { indexers: { [POD_LABEL_INDEX]: podLabelIndex } });
    const endpoints = ctx.informers.informerFor(ENDPOINTS);
    const epClient = ctx.client.resource(ENDPOINTS);
    const recorder = ctx.recorder(ENDPOINT_CONTROLLER);
    const queue = new WorkQueue<string>({ name: ENDPOINT_CONTROLLER, clock: ctx.clock });
    const triggerTimes = new TriggerTimeTracker();
    const enqueueService = (svc: Service) => queue.add(serviceKey(svc));
    const enqueuePodServices = (pod: Pod) => {
      for (const svc of servicesForPod(services, pod)) queue.add(serviceKey(svc));
    };

    services.addEventHandler({
      onAdd: enqueueService,
      onUpdate: (_o, s) => enqueueService(s),
      onDelete: (s) => enqueueService(deletedObject(s)),
    });
    pods.addEventHandler({
      onAdd: enqueuePodServices,
      onUpdate: (old, cur) => {
        if (podEndpointFingerprint(old) === podEndpointFingerprint(cur)) return;
        enqueuePodServices(cur);
        if (!sameLabels(old.metadata?.labels, cur.metadata?.labels)) enqueuePodServices(old);
      },
      onDelete: (p) => enqueuePodServices(deletedObject(p)),
    });
    // Someone deleted Endpoints we manage: recreate them (and notice leftovers at start-up).
    endpoints.addEventHandler({
      onAdd: (ep, initial) => {
        if (initial) queue.add(serviceKey(ep));
      },
      onDelete: (ep) => queue.add(serviceKey(deletedObject(ep))),
    });

    const sync = async (key: string): Promise<void> => {
      const { namespace, name } = splitKey(key);
      const ns = namespace ?? '';
      const svc = services.lister.get(ns, name);
      if (!svc) {
        triggerTimes.forget(key);
        const cur = endpoints.lister.get(ns, name);
        if (!cur || cur.metadata?.annotations?.[LEADER_ANNOTATION] !== undefined) return;
        try {
          await epClient.delete(ns, name);
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
        return;
      }
      if (svc.spec?.type === 'ExternalName') return;
      const sel = selectorOf(svc);
      if (!sel) return;
      const matching = podsForService(pods, svc, sel);
      const triggerTime = triggerTimes.compute(key, svc, matching);
      const { subsets, truncated } = desiredSubsets(svc, matching);
      const current = endpoints.lister.get(ns, name);
      const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
      if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
      else delete labels[HEADLESS_LABEL];
      labels[ENDPOINTS_MANAGED_BY_LABEL] = ENDPOINT_CONTROLLER;
      const overCapacity = current?.metadata?.annotations?.[OVER_CAPACITY_ANNOTATION];
      if (
        current &&
        sameJSON(normalizedSubsets(current.subsets), normalizedSubsets(subsets)) &&
        sameLabels(current.metadata?.labels, labels) &&
        (truncated ? overCapacity === 'truncated' : overCapacity === undefined)
      ) {
        return;
      }
      const annotations: Record<string, string> = { ...(current?.metadata?.annotations ?? {}) };
      if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
      else delete annotations[OVER_CAPACITY_ANNOTATION];
      if (triggerTime) annotations[TRIGGER_TIME_ANNOTATION] = formatTriggerTime(triggerTime);
      else delete annotations[TRIGGER_TIME_ANNOTATION];
      const next: Endpoints = {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: {
          ...(current ? structuredClone(current.metadata) : {}),
          name,
          namespace: ns,
          labels,
          annotations: Object.keys(annotations).length ? annotations : undefined,
        },
        subsets: subsets?.length ? subsets : undefined,
      };
      if (!current) {
        try {
          await epClient.create(ns, next);
        } catch (e) {
          // Namespace being deleted: nothing to do, the namespace takes the Service with it.
          if (e instanceof Error && /is being terminated/.test(e.message)) return;
          // Someone (a user, or a cache that has not caught up) made it first: sync again.
          if (!isAlreadyExists(e)) {
            recorder.recordEvent(next, 'Warning', 'FailedToCreateEndpoint', `Failed to create endpoint for service ${ns}/${name}: ${(e as Error).message}`);
          }
          throw e;
        }
        return;
      }
      try {
        await epClient.update(ns, next);
      } catch (e) {
        if (!isNotFound(e)) {
          recorder.recordEvent(next, 'Warning', 'FailedToUpdateEndpoint', `Failed to update endpoint ${ns}/${name}: ${(e as Error).message}`);
        }
        throw e;
      }
    };

    return workerLifecycle(queue, ctx.config.workers, sync, log, recorder);
  },
};
