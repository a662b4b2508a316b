// The Service registry's field fix-ups before validation, as pkg/registry/core/service does them:
// keep clusterIP and clusterIPs in step, carry allocated values the client left out over from the
// stored object (so re-applying the same manifest is a no-op), and wipe values a type change made
// meaningless.
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { externallyAccessible } from '../../api/defaults/services.js';
import { needsHealthCheck } from '../../api/validation/service.js';

export const needsClusterIP = (s: Service) => s.spec?.type !== 'ExternalName';
/** LoadBalancer with allocateLoadBalancerNodePorts false still needs ports the user asked for. */
export const shouldAllocateNodePorts = (s: Service) =>
  s.spec?.type === 'NodePort' || (s.spec?.type === 'LoadBalancer' && s.spec.allocateLoadBalancerNodePorts !== false);
/**
 * Type-based, as Kubernetes' needsNodePort: turning allocateLoadBalancerNodePorts off keeps the
 * node ports a LoadBalancer already has until the user removes them.
 */
export const needsNodePort = (s: Service) => s.spec?.type === 'NodePort' || s.spec?.type === 'LoadBalancer';
export const canHaveNodePorts = needsNodePort;

const json = (v: unknown) => JSON.stringify(v ?? null);
export const sameClusterIPs = (a: Service, b: Service) => json(a.spec?.clusterIPs ?? []) === json(b.spec?.clusterIPs ?? []);
const sameNodePorts = (a: Service, b: Service) => {
  const np = (s: Service) => (s.spec?.ports ?? []).map((p: ServicePort) => p.nodePort ?? 0);
  return json(np(a)) === json(np(b));
};

/** normalizeClusterIPs: old clients only send clusterIP; new ones send both. */
export function normalizeClusterIPs(svc: Service, old?: Service): void {
  const spec = (svc.spec ??= {});
  if (!old) {
    if (spec.clusterIP && !(spec.clusterIPs?.length ?? 0)) spec.clusterIPs = [spec.clusterIP];
    return;
  }
  const os = old.spec ?? {};
  if ((os.clusterIPs?.length ?? 0) > 0 && !(spec.clusterIPs?.length ?? 0) && (os.clusterIP ?? '') === (spec.clusterIP ?? '')) {
    spec.clusterIPs = [...os.clusterIPs!];
  }
  if ((os.clusterIP ?? '') !== (spec.clusterIP ?? '')) {
    if (os.clusterIP && !spec.clusterIP) {
      if (sameClusterIPs(old, svc)) delete spec.clusterIPs;
    } else if (sameClusterIPs(old, svc)) {
      spec.clusterIPs = [spec.clusterIP ?? ''];
    }
  }
}

/** patchAllocatedValues: values the server allocated and the client did not mention are kept. */
export function patchAllocatedValues(svc: Service, old: Service): void {
  const spec = (svc.spec ??= {});
  const os = old.spec ?? {};
  if (needsClusterIP(old) && needsClusterIP(svc)) {
    if (!spec.clusterIP && os.clusterIP) spec.clusterIP = os.clusterIP;
    if (!(spec.clusterIPs?.length ?? 0) && (os.clusterIPs?.length ?? 0) > 0) spec.clusterIPs = [...os.clusterIPs!];
  }
  if (needsNodePort(old) && needsNodePort(svc)) {
    const used = (s: Service) => new Set((s.spec?.ports ?? []).map((p) => p.nodePort ?? 0).filter((n) => n));
    const newUsed = used(svc);
    const inBoth = new Set([...used(old)].filter((n) => newUsed.has(n)));
    // Matched by port name: the client may have changed other properties of the port.
    const byName = new Map<string, number>();
    for (const p of os.ports ?? []) byName.set(p.name ?? '', p.nodePort ?? 0);
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      const was = byName.get(p.name ?? '') ?? 0;
      if (was && !inBoth.has(was)) p.nodePort = was;
    }
  }
  if (needsHealthCheck(old) && needsHealthCheck(svc) && !spec.healthCheckNodePort && os.healthCheckNodePort) {
    spec.healthCheckNodePort = os.healthCheckNodePort;
  }
}

/** dropTypeDependentFields: on a type change, wipe what the old type needed, unless the user changed it too. */
export function dropTypeDependentFields(svc: Service, old: Service): void {
  const spec = (svc.spec ??= {});
  const os = old.spec ?? {};
  if (needsClusterIP(old) && !needsClusterIP(svc)) {
    if (sameClusterIPs(old, svc)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (json(os.ipFamilies) === json(spec.ipFamilies)) delete spec.ipFamilies;
    if (json(os.ipFamilyPolicy) === json(spec.ipFamilyPolicy)) delete spec.ipFamilyPolicy;
  }
  if (needsNodePort(old) && !needsNodePort(svc) && sameNodePorts(old, svc)) {
    for (const p of spec.ports ?? []) delete p.nodePort;
  }
  if (needsHealthCheck(old) && !needsHealthCheck(svc) && (os.healthCheckNodePort ?? 0) === (spec.healthCheckNodePort ?? 0)) {
    delete spec.healthCheckNodePort;
  }
  if (os.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    const a = os.allocateLoadBalancerNodePorts;
    const b = spec.allocateLoadBalancerNodePorts;
    if (a !== undefined && a !== null && b !== undefined && b !== null && a === b) delete spec.allocateLoadBalancerNodePorts;
  }
  if (os.type === 'LoadBalancer' && spec.type !== 'LoadBalancer' && json(os.loadBalancerClass) === json(spec.loadBalancerClass)) {
    delete spec.loadBalancerClass;
  }
  if (externallyAccessible(old) && !externallyAccessible(svc) && (os.externalTrafficPolicy ?? '') === (spec.externalTrafficPolicy ?? '')) {
    delete spec.externalTrafficPolicy;
  }
  // Load-balancer status no longer applies (de-provisioning is the LB controller's business).
  if (spec.type !== 'LoadBalancer') {
    const st = (svc as { status?: { loadBalancer?: unknown } }).status;
    if (st) st.loadBalancer = {};
  }
}
