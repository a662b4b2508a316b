// Service defaulting as pkg/apis/core/v1/defaults.go (SetDefaults_Service and friends). Applied on
// create and on every update, before validation. Allocation-dependent fields (clusterIPs,
// ipFamilies, ipFamilyPolicy, nodePorts) are not defaults: the service registry fills them.
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';

/** Kubernetes' DefaultClientIPServiceAffinitySeconds (3 hours). */
export const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800;

/** NodePort, LoadBalancer, or ClusterIP with externalIPs (pkg/api/service ExternallyAccessible). */
export function externallyAccessible(svc: Service): boolean {
  const t = svc.spec?.type;
  return t === 'LoadBalancer' || t === 'NodePort' || (t === 'ClusterIP' && (svc.spec?.externalIPs?.length ?? 0) > 0);
}

function defaultPort(p: ServicePort): void {
  if (!p.protocol) p.protocol = 'TCP';
  // An unset, zero or empty targetPort means "the same as port".
  if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
}

export function setServiceDefaults(svc: Service): void {
  const spec = (svc.spec ??= {});
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  // A config is meaningless without affinity; Kubernetes drops it rather than refusing it.
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (!spec.type) spec.type = 'ClusterIP';
  for (const p of spec.ports ?? []) defaultPort(p);
  if (externallyAccessible(svc) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.internalTrafficPolicy === undefined || spec.internalTrafficPolicy === null) {
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer' || spec.type === 'ClusterIP') spec.internalTrafficPolicy = 'Cluster';
  }
  if (spec.type === 'LoadBalancer' && (spec.allocateLoadBalancerNodePorts === undefined || spec.allocateLoadBalancerNodePorts === null)) {
    spec.allocateLoadBalancerNodePorts = true;
  }
  if (spec.sessionAffinity === 'ClientIP') {
    const c = spec.sessionAffinityConfig;
    if (!c || !c.clientIP || c.clientIP.timeoutSeconds === undefined || c.clientIP.timeoutSeconds === null) {
      spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_AFFINITY_SECONDS } };
    }
  }
  // LoadBalancerIPMode (on by default since 1.30): ingress IPs without a mode are VIPs.
  if (spec.type === 'LoadBalancer') {
    const ingress = (svc.status as { loadBalancer?: { ingress?: { ip?: string; ipMode?: string }[] } } | undefined)?.loadBalancer?.ingress;
    for (const ing of ingress ?? []) if (ing.ip && !ing.ipMode) ing.ipMode = 'VIP';
  }
}
