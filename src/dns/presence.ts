// The DNS server's presence in the cluster, as kubeadm sets CoreDNS up: the `kube-dns` Service in
// kube-system at the tenth address of the service CIDR (what pods' resolv.conf points at), and a
// mirror pod labelled k8s-app=kube-dns standing for the in-process server on the node's network,
// so the Service has real endpoints and `kubectl -n kube-system get pods -l k8s-app=kube-dns` lists it.
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, SERVICES, type Client } from '../client/index.js';
import { ensureMirrorPod, mirrorPodObject, type MirrorPodSpec } from '../node/mirror-pod.js';
import type { Logger } from '../util/log.js';

export interface PresenceConfig {
  client: Client;
  logger: Logger;
  /** The cluster's service CIDR, e.g. 10.96.0.0/12 (the Service takes its tenth address). */
  serviceCIDR: string;
  nodeName: string;
  /** The node's address: the mirror pod's IP (hostNetwork), and where the Service's traffic lands. */
  nodeIP: string;
  /** The port the in-cluster listener serves on the node address (53). */
  port?: number;
  now?: () => Date;
}

export const KUBE_DNS_LABELS = { 'k8s-app': 'kube-dns' } as const;

/** The tenth address of an IPv4 CIDR (10.96.0.0/12 → 10.96.0.10). */
export function kubeDnsClusterIP(cidr: string): string {
  const [base, bitsText] = cidr.split('/');
  const parts = (base ?? '').split('.').map(Number);
  const bits = Number(bitsText);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255) || !Number.isInteger(bits) || bits < 0 || bits > 28) {
    throw new Error(`kube-dns needs an IPv4 service CIDR with room for ten addresses, got ${JSON.stringify(cidr)}`);
  }
  const n = parts.reduce((a, p) => a * 256 + p, 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const ip = ((n & mask) >>> 0) + 10;
  return [24, 16, 8, 0].map((s) => (ip >>> s) & 255).join('.');
}

export function kubeDnsService(clusterIP: string, port = 53): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'kube-dns',
      namespace: 'kube-system',
      labels: { ...KUBE_DNS_LABELS, 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
    },
    spec: {
      selector: { ...KUBE_DNS_LABELS },
      clusterIP,
      clusterIPs: [clusterIP],
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: port },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: port },
      ],
    },
  };
}

/** The mirror pod standing for the in-process DNS server on a node (see src/node/mirror-pod.ts). */
export function kubeDnsMirrorSpec(nodeName: string, port = 53): MirrorPodSpec {
  return {
    namespace: 'kube-system',
    name: `kube-dns-${nodeName}`,
    labels: { ...KUBE_DNS_LABELS },
    source: 'kubesvc-dns',
    container: {
      name: 'dns',
      image: 'kubesvc/dns:builtin',
      ports: [
        { name: 'dns', containerPort: port, protocol: 'UDP' },
        { name: 'dns-tcp', containerPort: port, protocol: 'TCP' },
      ],
    },
  };
}

export function mirrorPod(nodeName: string, port = 53): Pod {
  return mirrorPodObject(kubeDnsMirrorSpec(nodeName, port), nodeName);
}

/** Creates (or repairs) the Service and the mirror pod; errors are returned to the caller. */
export async function ensureKubeDnsPresence(c: PresenceConfig): Promise<{ service: Service; pod: Pod }> {
  const services = c.client.resource(SERVICES);
  const clusterIP = kubeDnsClusterIP(c.serviceCIDR);
  let service: Service;
  try {
    service = await services.create('kube-system', kubeDnsService(clusterIP, c.port));
    c.logger.info('created kube-dns service', { clusterIP });
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
    service = await services.get('kube-system', 'kube-dns');
  }
  const pod = await ensureMirrorPod({ client: c.client, logger: c.logger, nodeName: c.nodeName, nodeIP: c.nodeIP, now: c.now }, kubeDnsMirrorSpec(c.nodeName, c.port));
  return { service, pod };
}
