// Pod and Service facts the endpoints, EndpointSlice controllers share, with Kubernetes' rules
// (pkg/api/v1/pod, staging/src/k8s.io/endpointslice/util, pkg/controller/util/endpoint).
import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { Informer } from '../client/informer.js';

/** Services filed under one `namespace/key=value` pair of their selector, so a pod finds candidates without scanning every Service. */
export const SERVICE_SELECTOR_INDEX = 'controllers.kubesvc.io/service-selector-pair';

/** The selector Kubernetes acts on; an empty map counts as none (it cannot survive storage as a selector). */
export function selectorOf(svc: Service): Record<string, string> | undefined {
  const sel = svc.spec?.selector;
  return sel && Object.keys(sel).length > 0 ? sel : undefined;
}

export function serviceSelectorIndex(svc: Service): string[] {
  const sel = selectorOf(svc);
  if (!sel) return [];
  const first = Object.keys(sel).sort()[0] as string;
  return [`${svc.metadata?.namespace ?? ''}/${first}=${sel[first]}`];
}

/** Pods filed under every `namespace/key=value` label they carry, so a Service finds its pods without a scan. */
export const POD_LABEL_INDEX = 'controllers.kubesvc.io/pod-label-pair';

export function podLabelIndex(pod: Pod): string[] {
  const ns = pod.metadata?.namespace ?? '';
  return Object.entries(pod.metadata?.labels ?? {}).map(([k, v]) => `${ns}/${k}=${v}`);
}

/** Pods in the Service's namespace matching its selector (through the label index). */
export function podsForService(pods: Informer<Pod>, svc: Service, sel: Record<string, string>): Pod[] {
  const ns = svc.metadata?.namespace ?? '';
  const first = Object.keys(sel).sort()[0] as string;
  return pods.lister.byIndex(POD_LABEL_INDEX, `${ns}/${first}=${sel[first]}`).filter((p) => selectorMatches(sel, p.metadata?.labels));
}

export function selectorMatches(sel: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  for (const [k, v] of Object.entries(sel)) if (labels?.[k] !== v) return false;
  return true;
}

/** The selector as `kubectl describe` prints it (k=v,k2=v2, sorted). */
export function selectorString(sel: Record<string, string>): string {
  return Object.keys(sel)
    .sort()
    .map((k) => `${k}=${sel[k]}`)
    .join(',');
}

/** Services (with a selector) in the pod's namespace whose selector matches the pod's labels. */
export function servicesForPod(services: Informer<Service>, pod: Pod): Service[] {
  const ns = pod.metadata?.namespace ?? '';
  const labels = pod.metadata?.labels ?? {};
  const out: Service[] = [];
  for (const [k, v] of Object.entries(labels)) {
    for (const svc of services.lister.byIndex(SERVICE_SELECTOR_INDEX, `${ns}/${k}=${v}`)) {
      const sel = selectorOf(svc);
      if (sel && selectorMatches(sel, labels)) out.push(svc);
    }
  }
  return out;
}

/** podutil.IsPodReady: the Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** endpointsliceutil.ShouldPodBeInEndpoints: not finished, has an IP, and (unless asked) not terminating. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (!pod.status?.podIP && !(pod.status?.podIPs ?? []).length) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

/** The pod's IPs, podIPs first (podIP is podIPs[0] when both are set). */
export function podIPs(pod: Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => Boolean(ip));
  if (ips.length) return ips;
  return pod.status?.podIP ? [pod.status.podIP] : [];
}

export function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

/**
 * podutil.FindPort: a numeric targetPort is used as is (defaulting made it the port when unset);
 * a named one is looked up among the pod's container ports (and restartable init containers,
 * i.e. sidecars) with the Service port's protocol. undefined when the pod has no such port.
 */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const proto = sp.protocol ?? 'TCP';
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  for (const c of containers) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === proto) return p.containerPort;
  }
  return undefined;
}

/** endpointutil.ShouldSetHostname: the pod's subdomain names this Service, in the same namespace. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return Boolean(pod.spec?.hostname) && pod.spec?.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace;
}

/** Everything about a pod that can change an endpoint; equal fingerprints mean no Service needs a sync. */
export function podEndpointFingerprint(pod: Pod): string {
  return JSON.stringify([
    podIPs(pod),
    isPodReady(pod),
    pod.status?.phase ?? '',
    pod.metadata?.deletionTimestamp ?? '',
    pod.spec?.nodeName ?? '',
    pod.spec?.hostname ?? '',
    pod.spec?.subdomain ?? '',
    pod.metadata?.labels ?? {},
    pod.metadata?.uid ?? '',
    (pod.spec?.containers ?? []).map((c) => c.ports ?? []),
  ]);
}

export function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === 'None';
}

/** Pods are keyed `namespace/name`; a Service's key is the same shape. */
export function serviceKey(svc: { metadata?: { namespace?: string; name?: string } }): string {
  return `${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`;
}
