// Services and EndpointSlices shared by the proxy's unit tests, the golden files and the kernel
// tests: one of each behaviour the proxy must carry. Node "node-a" is this node.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { NodeFacts } from '../model.js';

export const NODE = 'node-a';
export const NODE_IP = '192.168.50.1';
export const FACTS: NodeFacts = { nodeName: NODE, serviceCIDRs: ['10.96.0.0/12'], podCIDR: '10.244.0.0/16', nodePortAddresses: [] };

export function svc(name: string, spec: Service['spec'], status?: Service['status']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name }, spec, ...(status ? { status } : {}) };
}

export interface Ep {
  ip: string;
  node?: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

export function slice(service: string, ports: { name?: string; port: number; protocol?: string }[], eps: Ep[], sliceName = `${service}-abc`): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: 'default', name: sliceName, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' })),
    endpoints: eps.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false },
      ...(e.node ? { nodeName: e.node } : {}),
    })),
  };
}

export const WEB_EPS = ['10.244.0.5', '10.244.0.6', '10.244.1.7'];

/** The cluster the golden file and behaviour tests use. */
export function cluster(): { services: Service[]; slices: EndpointSlice[] } {
  const services: Service[] = [
    svc('web', { type: 'ClusterIP', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] }),
    svc('dns', { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] }),
    svc('np', {
      type: 'NodePort',
      clusterIP: '10.96.0.30',
      clusterIPs: ['10.96.0.30'],
      externalTrafficPolicy: 'Local',
      healthCheckNodePort: 32000,
      ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }],
    }),
    svc('sticky', {
      type: 'ClusterIP',
      clusterIP: '10.96.0.40',
      clusterIPs: ['10.96.0.40'],
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
      ports: [{ port: 80, protocol: 'TCP' }],
    }),
    svc(
      'lb',
      {
        type: 'LoadBalancer',
        clusterIP: '10.96.0.50',
        clusterIPs: ['10.96.0.50'],
        externalIPs: ['192.0.2.9'],
        loadBalancerSourceRanges: ['198.51.100.0/24'],
        ports: [{ port: 443, nodePort: 30443, protocol: 'TCP' }],
      },
      { loadBalancer: { ingress: [{ ip: '192.0.2.50' }] } },
    ),
    svc('local-only', {
      type: 'ClusterIP',
      clusterIP: '10.96.0.60',
      clusterIPs: ['10.96.0.60'],
      internalTrafficPolicy: 'Local',
      ports: [{ port: 80, protocol: 'TCP' }],
    }),
    svc('draining', { type: 'ClusterIP', clusterIP: '10.96.0.70', clusterIPs: ['10.96.0.70'], ports: [{ port: 80, protocol: 'TCP' }] }),
    svc('headless', { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 80, protocol: 'TCP' }] }),
    svc('ext', { type: 'ExternalName', externalName: 'example.com' }),
  ];
  const slices: EndpointSlice[] = [
    slice('web', [{ name: 'http', port: 8080 }], WEB_EPS.map((ip, i) => ({ ip, node: i < 2 ? NODE : 'node-b' }))),
    slice('dns', [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53 }], []),
    slice('np', [{ port: 8080 }], [{ ip: '10.244.0.8', node: NODE }, { ip: '10.244.1.8', node: 'node-b' }]),
    slice('sticky', [{ port: 8080 }], [{ ip: '10.244.0.9', node: NODE }, { ip: '10.244.1.9', node: 'node-b' }]),
    slice('lb', [{ port: 8443 }], [{ ip: '10.244.1.10', node: 'node-b' }]),
    slice('local-only', [{ port: 8080 }], [{ ip: '10.244.1.11', node: 'node-b' }]),
    slice('draining', [{ port: 8080 }], [
      { ip: '10.244.0.12', node: NODE, ready: false, serving: true, terminating: true },
      { ip: '10.244.0.13', node: NODE, ready: false, serving: false, terminating: true },
    ]),
  ];
  return { services, slices };
}
