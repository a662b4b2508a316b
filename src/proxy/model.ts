// The proxy's desired state, independent of any backend: what every Service port should do and which
// endpoints may carry its traffic. The change trackers build it from Services and EndpointSlices; the
// nftables and iptables backends are pure functions of it.

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** One port of one Service: the unit the proxy programs (kube-proxy's ServicePortName + info). */
export interface ServicePortInfo {
  /** "namespace/name:portName" (portName may be empty), unique in the cluster. */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  /** The port's name ("" for the single unnamed port). */
  readonly portName: string;
  readonly protocol: Protocol;
  readonly port: number;
  /** IPv4 ClusterIPs (IPv6 is not programmed yet). */
  readonly clusterIPs: readonly string[];
  readonly nodePort?: number;
  readonly externalIPs: readonly string[];
  /** IPs from status.loadBalancer.ingress. */
  readonly loadBalancerIPs: readonly string[];
  /** spec.loadBalancerSourceRanges (CIDRs), applied to the load-balancer IPs. */
  readonly sourceRanges: readonly string[];
  /** Set when sessionAffinity is ClientIP. */
  readonly affinityTimeoutSeconds?: number;
  readonly internalTrafficLocal: boolean;
  readonly externalTrafficLocal: boolean;
  readonly healthCheckNodePort?: number;
}

/** One endpoint of a Service port, as EndpointSlices describe it. */
export interface EndpointInfo {
  readonly ip: string;
  readonly port: number;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly nodeName?: string;
}

/** A Service port with the endpoints its slices list for it. */
export interface ServicePortState {
  readonly svc: ServicePortInfo;
  readonly endpoints: readonly EndpointInfo[];
}

/** Node-level facts the rules depend on. */
export interface NodeFacts {
  /** This node's name: endpoints with this nodeName are local. */
  readonly nodeName: string;
  /** Service CIDRs: traffic to unallocated addresses in them is rejected. */
  readonly serviceCIDRs: readonly string[];
  /** Pod CIDR of the cluster: ClusterIP traffic from outside it is masqueraded (off-node/host sources). */
  readonly podCIDR?: string;
  /** Addresses NodePorts answer on; empty = every local address (`fib daddr type local`). */
  readonly nodePortAddresses: readonly string[];
}

/**
 * Which endpoints carry traffic (kube-proxy's CategorizeEndpoints, without topology hints): the ready
 * ones, or, only when none is ready, the serving and terminating ones.
 */
export function usableEndpoints(eps: readonly EndpointInfo[]): EndpointInfo[] {
  const ready = eps.filter((e) => e.ready);
  if (ready.length > 0) return ready;
  return eps.filter((e) => e.serving && e.terminating);
}

export function localEndpoints(eps: readonly EndpointInfo[], nodeName: string): EndpointInfo[] {
  return usableEndpoints(eps.filter((e) => e.nodeName === nodeName));
}

/** Has the Service port a destination outside its ClusterIPs (NodePort, external or LB IPs)? */
export function hasExternal(svc: ServicePortInfo): boolean {
  return svc.nodePort !== undefined || svc.externalIPs.length > 0 || svc.loadBalancerIPs.length > 0;
}
