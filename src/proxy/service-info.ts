// Service → the ports the proxy programs. Mirrors kube-proxy's ShouldSkipService and
// newBaseServiceInfo: ExternalName and headless Services get no rules; only IPv4 addresses are used.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Protocol, ServicePortInfo } from './model.js';

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function isIPv4(s: string | undefined): s is string {
  const m = s ? IPV4.exec(s) : null;
  return m !== null && m.slice(1).every((o) => Number(o) <= 255 && String(Number(o)) === o);
}

/** Default ClientIP affinity timeout (kube-apiserver's default, 3 hours). */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;

export function servicePortId(namespace: string, name: string, portName: string): string {
  return `${namespace}/${name}:${portName}`;
}

export function servicePorts(svc: Service): ServicePortInfo[] {
  const spec = svc.spec;
  const namespace = svc.metadata?.namespace ?? 'default';
  const name = svc.metadata?.name ?? '';
  if (!spec || spec.type === 'ExternalName') return [];
  const clusterIPs = (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter(isIPv4);
  // Headless (None) and IPv6-only Services have nothing for an IPv4 proxy.
  if (clusterIPs.length === 0) return [];
  const externalIPs = (spec.externalIPs ?? []).filter(isIPv4);
  const lbIPs =
    spec.type === 'LoadBalancer' ? (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter(isIPv4) : [];
  const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  const affinity =
    spec.sessionAffinity === 'ClientIP'
      ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS)
      : undefined;
  return (spec.ports ?? []).map((p) => {
    const portName = p.name ?? '';
    return {
      id: servicePortId(namespace, name, portName),
      namespace,
      name,
      portName,
      protocol: (p.protocol ?? 'TCP') as Protocol,
      port: p.port,
      clusterIPs,
      nodePort: external && p.nodePort ? p.nodePort : undefined,
      externalIPs,
      loadBalancerIPs: lbIPs,
      sourceRanges: spec.type === 'LoadBalancer' ? (spec.loadBalancerSourceRanges ?? []).map((r) => r.trim()) : [],
      affinityTimeoutSeconds: affinity,
      internalTrafficLocal: spec.internalTrafficPolicy === 'Local',
      // externalTrafficPolicy only matters for Services with external destinations.
      externalTrafficLocal: spec.externalTrafficPolicy === 'Local' && (external || externalIPs.length > 0),
      healthCheckNodePort: spec.healthCheckNodePort,
    };
  });
}
