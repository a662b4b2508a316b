// Service rows as kube-apiserver's printService: EXTERNAL-IP by type (<none>, <pending>, the
// externalName, or load-balancer ingress joined with externalIPs), PORT(S) like "80:30080/TCP".
import type { LoadBalancerStatus, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../object.js';
import { since } from '../duration.js';
import { ageColumn, col, nameColumn, type Printer } from '../types.js';

/** labels.FormatLabels: sorted k=v pairs, or "<none>". */
export function formatLabels(m: Record<string, string> | undefined): string {
  const keys = Object.keys(m ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${(m as Record<string, string>)[k]}`).join(',');
}

function portString(ports: ServicePort[]): string {
  return ports.map((p) => (p.nodePort && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol ?? ''}` : `${p.port}/${p.protocol ?? ''}`)).join(',');
}

/** Ingress IPs (or hostnames), de-duplicated and sorted; the server never truncates (wide). */
function loadBalancerString(s: LoadBalancerStatus | undefined): string {
  const set = new Set<string>();
  for (const ing of s?.ingress ?? []) {
    if (ing.ip) set.add(ing.ip);
    else if (ing.hostname) set.add(ing.hostname);
  }
  return [...set].sort().join(',');
}

function externalIP(svc: Service): string {
  const spec = svc.spec ?? {};
  const ext = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return ext.length ? ext.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerString(svc.status?.loadBalancer);
      if (ext.length) return [...(lb ? lb.split(',') : []), ...ext].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
  }
  return '<unknown>';
}

export const servicePrinter: Printer = {
  columns: [
    nameColumn(),
    col('Type', 'string', 'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.'),
    col('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    col('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.'),
    col('Port(s)', 'string', 'The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies'),
    ageColumn(),
    col('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify.', 1),
  ],
  print(obj: KubeObject, now: Date) {
    const svc = obj as unknown as Service;
    const spec = svc.spec ?? {};
    const clusterIP = spec.clusterIPs?.[0] ?? spec.clusterIP ?? '<none>';
    const ports = portString(spec.ports ?? []);
    return {
      cells: [svc.metadata?.name ?? '', spec.type ?? '', clusterIP || '<none>', externalIP(svc), ports || '<none>', since(svc.metadata?.creationTimestamp, now), formatLabels(spec.selector)],
    };
  },
};
