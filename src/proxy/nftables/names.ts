// Every table, chain, set and map name of the kubesvc ruleset (habit 4). Per-Service names are built
// here too, so the generator, the tracer and the tests agree on them.

export const TABLE = 'kubesvc';
export const FAMILY = 'ip';

/** The bit in the packet mark that asks nat-postrouting to masquerade (kube-proxy's 0x4000). */
export const MASQ_MARK = 0x4000;

// Base chains (hooked into netfilter).
export const FILTER_PREROUTING = 'filter-prerouting';
export const FILTER_INPUT = 'filter-input';
export const FILTER_FORWARD = 'filter-forward';
export const FILTER_OUTPUT = 'filter-output';
export const FILTER_OUTPUT_POST_DNAT = 'filter-output-post-dnat';
export const NAT_PREROUTING = 'nat-prerouting';
export const NAT_OUTPUT = 'nat-output';
export const NAT_POSTROUTING = 'nat-postrouting';

// Regular chains shared by all Services.
export const SERVICES = 'services';
export const NODEPORTS = 'nodeports';
export const MARK_FOR_MASQUERADE = 'mark-for-masquerade';
export const MASQUERADING = 'masquerading';
export const REJECT_CHAIN = 'reject-chain';
export const FIREWALL_CHECK = 'firewall-check';
export const SERVICE_ENDPOINTS_CHECK = 'service-endpoints-check';
export const CLUSTER_IPS_CHECK = 'cluster-ips-check';

// Sets and verdict maps.
/** daddr . proto . port → goto the Service's chain (ClusterIPs, external IPs, LB IPs). */
export const SERVICE_IPS = 'service-ips';
/** proto . port → goto the Service's external chain. */
export const SERVICE_NODEPORTS = 'service-nodeports';
/** daddr . proto . port → reject/drop for Services without usable endpoints. */
export const NO_ENDPOINT_SERVICES = 'no-endpoint-services';
/** proto . port → reject/drop for NodePorts without usable endpoints. */
export const NO_ENDPOINT_NODEPORTS = 'no-endpoint-nodeports';
/** daddr . proto . port → goto the Service's firewall chain (loadBalancerSourceRanges). */
export const FIREWALL_IPS = 'firewall-ips';
/** Every allocated ClusterIP: a ClusterIP on a port no Service has is rejected. */
export const CLUSTER_IPS = 'cluster-ips';
/** endpoint . endpoint for every endpoint IP: after DNAT, source == destination means hairpin. */
export const HAIRPIN = 'hairpin-endpoints';
export const HAIRPIN_KEY_TYPE = 'ipv4_addr . ipv4_addr';
/** The addresses NodePorts answer on, when restricted (nodePortAddresses). */
export const NODEPORT_IPS = 'nodeport-ips';
/**
 * Endpoint maps of the Services on the shared load-balancing chains, one per transport protocol:
 * `endpoints-<proto>`: daddr . port . endpoint index → endpoint ip . port (ClusterIPs, external
 * IPs, LB IPs); `nodeport-endpoints-<proto>`: nodePort . endpoint index → endpoint ip . port.
 *
 * Declared with `typeof`, because a numgen part has no type name (`mark` is refused there); the
 * modulus in the declaration does not matter, one map serves every endpoint count. One map per
 * protocol, because nft 1.0.6 refuses a later `add rule` whose dnat uses a map declared with
 * `th dport` after a `meta l4proto tcp` match ("conflicting protocols specified: tcp vs. th": it
 * re-evaluates the map's stored typeof in the rule's protocol context), which a new `lb-N` chain
 * in an incremental sync needs; `tcp dport` in a tcp-only map does not conflict.
 */
export const endpointsMap = (p: string): string => `endpoints-${p}`;
export const nodePortEndpointsMap = (p: string): string => `nodeport-endpoints-${p}`;
export const endpointsKeyTypeof = (p: string): string => `ip daddr . ${p} dport . numgen random mod 1`;
export const nodePortEndpointsKeyTypeof = (p: string): string => `${p} dport . numgen random mod 1`;
export const endpointDataTypeof = (p: string): string => `ip daddr . ${p} dport`;

export const SERVICE_KEY_TYPE = 'ipv4_addr . inet_proto . inet_service';
export const NODEPORT_KEY_TYPE = 'inet_proto . inet_service';

/**
 * Shared load-balancing chains, one per entry kind and endpoint count N (created while some
 * Service port uses them): `lb-N` for ClusterIPs (masquerade-mark sources outside the pod CIDR),
 * `ext-lb-N` for external and LB IPs (always mark), `nodeport-lb-N` for NodePorts (always mark);
 * each then picks endpoint `numgen random mod N` from the endpoint maps. Per-Service suffixes hold
 * at least two dashes, so these names never clash with `ext-<suffix>`.
 */
export type LbKind = 'cluster' | 'external' | 'nodeport';
export function lbChain(kind: LbKind, n: number): string {
  return `${kind === 'cluster' ? '' : kind === 'external' ? 'ext-' : 'nodeport-'}lb-${n}`;
}

/** The readable per-Service-port suffix, "<ns>-<name>-<port name or number>". */
export function baseSuffix(namespace: string, name: string, portName: string, port: number): string {
  return `${namespace}-${name}-${portName || String(port)}`;
}

export const svcChain = (suffix: string): string => `svc-${suffix}`;
export const localChain = (suffix: string): string => `local-${suffix}`;
export const extChain = (suffix: string): string => `ext-${suffix}`;
export const fwChain = (suffix: string): string => `fw-${suffix}`;
export const affinitySet = (suffix: string, ip: string, port: number): string => `aff-${suffix}-${ip}-${port}`;
