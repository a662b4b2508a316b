// The desired state → the kubesvc nftables ruleset, as a pure function (habit 5: golden files and
// the packet tracer test it without root). The layout follows kube-proxy's nftables mode, with
// shared load-balancing chains for plain Services:
//
//   nat-prerouting / nat-output ─▶ services: daddr.proto.port vmap @service-ips ─▶ lb-N / ext-lb-N
//                                     │                                        or svc-X / ext-X
//                                     └ local daddr ─▶ nodeports: proto.port vmap @service-nodeports
//                                                        ─▶ nodeport-lb-N or ext-X
//   lb-N, ext-lb-N, nodeport-lb-N (plain Services with N endpoints, shared): masquerade mark as the
//            entry needs, then per protocol `dnat ip addr . port to [ip daddr .] <p> dport . numgen
//            random mod N map @[nodeport-]endpoints-<p>` — the maps hold each Service's endpoints
//   svc-X:   (ClientIP affinity, Local policies) mark off-pod-CIDR sources; affinity lookups; then
//            one rule per endpoint, rule i taken when `numgen random mod N-i == 0` (uniform), each
//            remembering the client (affinity) and doing the dnat itself
//   ext-X:   Cluster policy: mark, goto svc-X.  Local policy: node sources like Cluster, others
//            goto local-X (local endpoints only, source preserved)
//   filter hooks (ct state new): @no-endpoint-* reject (none at all) or drop (none local);
//            @firewall-ips (loadBalancerSourceRanges); ClusterIP on a wrong port or unallocated
//            service-CIDR address rejected after DNAT.
//   nat-postrouting ─▶ masquerading: masquerade hairpin (saddr . daddr in @hairpin-endpoints after
//            DNAT) and what carries the mark.
//
// Why shared chains, and no per-endpoint chains or anonymous numgen maps (kube-proxy has both):
// `nft` loads every chain and set of the netns into its cache before any transaction that adds a
// rule or element, and the kernel re-validates every chain reachable from a base chain at commit.
// At 10,000 Services, 30,000 chains + 10,000 anonymous maps made one change cost ~150 ms of nft
// CPU; one chain per Service port ~35 ms; 18 shared chains ~6 ms (bench/proxy/README.md).
import {
  hasExternal,
  localEndpoints,
  usableEndpoints,
  type EndpointInfo,
  type NodeFacts,
  type ServicePortState,
} from '../model.js';
import { createHash } from 'node:crypto';
import type { Chain, Element, ElementVerdict, L4, NamedSet, Rule, Ruleset } from './ir.js';
import { LayeredMap } from './layered-map.js';
import * as N from './names.js';

const proto = (p: string): L4 => p.toLowerCase() as L4;
const L4S: readonly L4[] = ['tcp', 'udp', 'sctp'];

/** Readable, unique chain-name suffixes: a hash is appended only where two ports would collide. */
export function chainSuffixes(state: readonly ServicePortState[]): Map<string, string> {
  const byBase = new Map<string, string[]>();
  for (const { svc } of state) {
    const base = N.baseSuffix(svc.namespace, svc.name, svc.portName, svc.port);
    const ids = byBase.get(base) ?? [];
    ids.push(svc.id + '/' + svc.protocol);
    byBase.set(base, ids);
  }
  const out = new Map<string, string>();
  for (const [base, ids] of byBase) {
    for (const id of ids) {
      out.set(id, ids.length === 1 ? base : `${base}-${createHash('sha256').update(id).digest('hex').slice(0, 8)}`);
    }
  }
  return out;
}

function rule(match: Rule['match'], stmts: Rule['stmts'], comment?: string): Rule {
  return comment ? { match, stmts, comment } : { match, stmts };
}

function baseChains(): Chain[] {
  const newJump = (chain: string): Rule => rule([{ m: 'ct-new' }], [{ s: 'jump', chain }]);
  // Priorities as kube-proxy: filter checks 10 before DNAT (dstnat = -100), the ClusterIP check on
  // the output path 10 after it.
  return [
    { name: N.FILTER_PREROUTING, base: { type: 'filter', hook: 'prerouting', priority: -110 }, rules: [newJump(N.FIREWALL_CHECK)] },
    {
      name: N.FILTER_INPUT,
      base: { type: 'filter', hook: 'input', priority: -110 },
      rules: [newJump(N.SERVICE_ENDPOINTS_CHECK)],
    },
    {
      name: N.FILTER_FORWARD,
      base: { type: 'filter', hook: 'forward', priority: -110 },
      rules: [newJump(N.SERVICE_ENDPOINTS_CHECK), newJump(N.CLUSTER_IPS_CHECK)],
    },
    {
      name: N.FILTER_OUTPUT,
      base: { type: 'filter', hook: 'output', priority: -110 },
      rules: [newJump(N.SERVICE_ENDPOINTS_CHECK), newJump(N.FIREWALL_CHECK)],
    },
    {
      name: N.FILTER_OUTPUT_POST_DNAT,
      base: { type: 'filter', hook: 'output', priority: -90 },
      rules: [newJump(N.CLUSTER_IPS_CHECK)],
    },
    { name: N.NAT_PREROUTING, base: { type: 'nat', hook: 'prerouting', priority: -100 }, rules: [rule([], [{ s: 'jump', chain: N.SERVICES }])] },
    { name: N.NAT_OUTPUT, base: { type: 'nat', hook: 'output', priority: -100 }, rules: [rule([], [{ s: 'jump', chain: N.SERVICES }])] },
    {
      name: N.NAT_POSTROUTING,
      base: { type: 'nat', hook: 'postrouting', priority: 100 },
      rules: [rule([], [{ s: 'jump', chain: N.MASQUERADING }])],
    },
  ];
}

function sharedChains(facts: NodeFacts): Chain[] {
  const nodeDest =
    facts.nodePortAddresses.length > 0
      ? [{ m: 'in-set', key: 'daddr', set: N.NODEPORT_IPS } as const]
      : // NodePorts on localhost would need route_localnet; kube-proxy leaves them out too.
        [{ m: 'fib-local', field: 'daddr' } as const, { m: 'ip', field: 'daddr', neg: true, values: ['127.0.0.0/8'] } as const];
  return [
    {
      name: N.SERVICES,
      rules: [
        rule([], [{ s: 'vmap', key: 'daddr.proto.dport', map: N.SERVICE_IPS }]),
        rule(nodeDest, [{ s: 'jump', chain: N.NODEPORTS }]),
      ],
    },
    { name: N.NODEPORTS, rules: [rule([], [{ s: 'vmap', key: 'proto.dport', map: N.SERVICE_NODEPORTS }])] },
    { name: N.MARK_FOR_MASQUERADE, rules: [rule([], [{ s: 'set-masq-mark' }])] },
    {
      name: N.MASQUERADING,
      rules: [
        // Hairpin: a pod reaching itself through its Service must see the reply come from elsewhere.
        // TCP keeps the client's source port when it can (no fully-random): a random port may land
        // on a 4-tuple the server still holds in TIME_WAIT from a connection conntrack has already
        // forgotten, and the server's PAWS check then drops the SYN (one-second retransmits with
        // `Connection: close`; bench/proxy/README.md section 3). Other protocols stay fully random.
        rule([{ m: 'in-set', key: 'saddr.daddr', set: N.HAIRPIN }, { m: 'l4proto', proto: 'tcp' }], [{ s: 'masquerade' }], 'hairpin'),
        rule([{ m: 'in-set', key: 'saddr.daddr', set: N.HAIRPIN }], [{ s: 'masquerade', fullyRandom: true }], 'hairpin'),
        rule([{ m: 'no-masq-mark' }], [{ s: 'return' }]),
        // Clear the bit so a packet re-entering the stack (e.g. through a tunnel) is not masqueraded twice.
        rule([], [{ s: 'clear-masq-mark' }]),
        rule([{ m: 'l4proto', proto: 'tcp' }], [{ s: 'masquerade' }]),
        rule([], [{ s: 'masquerade', fullyRandom: true }]),
      ],
    },
    {
      name: N.REJECT_CHAIN,
      rules: [
        rule([{ m: 'l4proto', proto: 'tcp' }], [{ s: 'reject', tcpReset: true }]),
        rule([], [{ s: 'reject', tcpReset: false }]),
      ],
    },
    { name: N.FIREWALL_CHECK, rules: [rule([], [{ s: 'vmap', key: 'daddr.proto.dport', map: N.FIREWALL_IPS }])] },
    {
      name: N.SERVICE_ENDPOINTS_CHECK,
      rules: [
        rule([], [{ s: 'vmap', key: 'daddr.proto.dport', map: N.NO_ENDPOINT_SERVICES }]),
        rule(nodeDest, [{ s: 'vmap', key: 'proto.dport', map: N.NO_ENDPOINT_NODEPORTS }]),
      ],
    },
    {
      name: N.CLUSTER_IPS_CHECK,
      rules: [
        rule([{ m: 'in-set', key: 'daddr', set: N.CLUSTER_IPS }], [{ s: 'goto', chain: N.REJECT_CHAIN }], 'ClusterIP on a port no Service has'),
        ...(facts.serviceCIDRs.length > 0
          ? [rule([{ m: 'ip', field: 'daddr', values: facts.serviceCIDRs }], [{ s: 'goto', chain: N.REJECT_CHAIN }], 'unallocated service IP')]
          : []),
      ],
    },
  ];
}

/**
 * svc-/local- chain body: affinity lookups, then a uniform random choice among the endpoints as a
 * cascade (rule i matches with probability 1/(N-i) when the earlier ones did not). Each rule ends
 * in the dnat, so a Service port is one chain however many endpoints it has.
 */
function dispatchRules(suffix: string, eps: readonly EndpointInfo[], affinity: boolean, p: L4): Rule[] {
  const rules: Rule[] = [];
  const toEndpoint = (e: EndpointInfo): Rule['stmts'] => [
    ...(affinity ? [{ s: 'update-saddr', set: N.affinitySet(suffix, e.ip, e.port) } as const] : []),
    { s: 'dnat', ip: e.ip, port: e.port },
  ];
  if (affinity) {
    for (const e of eps) rules.push(rule([{ m: 'in-set', key: 'saddr', set: N.affinitySet(suffix, e.ip, e.port) }, { m: 'l4proto', proto: p }], toEndpoint(e)));
  }
  eps.forEach((e, i) => {
    const last = i === eps.length - 1;
    rules.push(rule([...(last ? [] : [{ m: 'numgen', mod: eps.length - i } as const]), { m: 'l4proto', proto: p }], toEndpoint(e)));
  });
  return rules;
}

interface Maps {
  serviceIPs: Element[];
  nodePorts: Element[];
  endpoints: Element[];
  nodePortEndpoints: Element[];
  noEndpointServices: Element[];
  noEndpointNodePorts: Element[];
  firewallIPs: Element[];
  clusterIPs: Set<string>;
}

/** Everything one Service port contributes to the ruleset; regenerated only when its state changes. */
export interface Fragment {
  readonly chains: readonly Chain[];
  readonly sets: readonly NamedSet[];
  /** Verdict-map name → the elements this port puts there. */
  readonly elements: ReadonlyMap<string, readonly Element[]>;
  readonly clusterIPs: readonly string[];
  /** Endpoint IPs (for the shared hairpin set). */
  readonly endpointIPs: readonly string[];
  /** Shared load-balancing chains (`lb-N`...) this port's map elements point at. */
  readonly lbChains: readonly string[];
}

export function buildFragment(st: ServicePortState, suffix: string, facts: NodeFacts): Fragment {
  const chains: Chain[] = [];
  const sets: NamedSet[] = [];
  const maps: Maps = {
    serviceIPs: [],
    nodePorts: [],
    endpoints: [],
    nodePortEndpoints: [],
    noEndpointServices: [],
    noEndpointNodePorts: [],
    firewallIPs: [],
    clusterIPs: new Set(),
  };
  const lbChains = sharesChains(st.svc) ? addSharedPort(st, suffix, chains, maps) : (addPort(st, suffix, facts, chains, sets, maps), []);
  const elements = new Map<string, Element[]>();
  const put = (name: string, els: Element[]) => {
    if (els.length) elements.set(name, els);
  };
  put(N.SERVICE_IPS, maps.serviceIPs);
  put(N.SERVICE_NODEPORTS, maps.nodePorts);
  put(N.endpointsMap(proto(st.svc.protocol)), maps.endpoints);
  put(N.nodePortEndpointsMap(proto(st.svc.protocol)), maps.nodePortEndpoints);
  put(N.NO_ENDPOINT_SERVICES, maps.noEndpointServices);
  put(N.NO_ENDPOINT_NODEPORTS, maps.noEndpointNodePorts);
  put(N.FIREWALL_IPS, maps.firewallIPs);
  const endpointIPs = new Set<string>();
  for (const e of st.endpoints) endpointIPs.add(e.ip);
  return { chains, sets, elements, clusterIPs: [...maps.clusterIPs], endpointIPs: [...endpointIPs], lbChains };
}

/**
 * Can this port use the shared `lb-N` chains? Session affinity needs its per-endpoint sets and
 * rules, and Local traffic policies a second endpoint list with their own entry logic: those keep
 * per-Service chains. Everything else is load balancing over all usable endpoints, which one map
 * lookup per endpoint count expresses.
 */
export function sharesChains(svc: ServicePortState['svc']): boolean {
  return svc.affinityTimeoutSeconds === undefined && !svc.internalTrafficLocal && !svc.externalTrafficLocal;
}

/** The shared chain `name` (see N.lbChain): masquerade mark as its entry kind needs, then the dnat. */
export function lbChainFor(name: string, facts: NodeFacts): Chain {
  const m = /^(ext-|nodeport-)?lb-(\d+)$/.exec(name);
  if (!m) throw new Error(`not a shared load-balancing chain: ${name}`);
  const mod = Number(m[2]);
  const cluster = m[1] === undefined;
  const mark: Rule[] = cluster
    ? facts.podCIDR
      ? [rule([{ m: 'ip', field: 'saddr', neg: true, values: [facts.podCIDR] }], [{ s: 'jump', chain: N.MARK_FOR_MASQUERADE }])]
      : []
    : [rule([], [{ s: 'jump', chain: N.MARK_FOR_MASQUERADE }])];
  const nodePort = m[1] === 'nodeport-';
  // One rule (and map) per protocol: the port half of the dnat needs the transport protocol known.
  const dnat = L4S.map((p) =>
    rule(
      [{ m: 'l4proto', proto: p }],
      [
        nodePort
          ? { s: 'dnat-map', key: 'dport.numgen', proto: p, mod, map: N.nodePortEndpointsMap(p) }
          : { s: 'dnat-map', key: 'daddr.dport.numgen', proto: p, mod, map: N.endpointsMap(p) },
      ],
    ),
  );
  return { name, rules: [...mark, ...dnat] };
}

/**
 * A port on the shared chains: only map elements. Its addresses go to `lb-N` / `ext-lb-N` /
 * `nodeport-lb-N` for its N usable endpoints, and the endpoint maps say which endpoint index i
 * is. An endpoint change is then a few element updates, and nft's cache (which it loads before
 * any write) holds a few dozen chains instead of one per Service port. No usable endpoint: no
 * dispatch element at all, the filter hooks reject as for every Service.
 */
function addSharedPort(st: ServicePortState, suffix: string, chains: Chain[], maps: Maps): string[] {
  const { svc } = st;
  const p = proto(svc.protocol);
  const port = String(svc.port);
  const comment = `${svc.namespace}/${svc.name}${svc.portName ? ':' + svc.portName : ''}`;
  const all = usableEndpoints(st.endpoints);
  const n = all.length;
  const used: string[] = [];
  const dispatch = (kind: N.LbKind): ElementVerdict => {
    const chain = N.lbChain(kind, n);
    if (!used.includes(chain)) used.push(chain);
    return { v: 'goto', chain };
  };
  const endpointsAt = (key: readonly string[], into: Element[]) => {
    all.forEach((e, i) => into.push({ key: [...key, String(i)], data: [e.ip, String(e.port)], comment }));
  };
  const reject: ElementVerdict = { v: 'goto', chain: N.REJECT_CHAIN };
  for (const ip of svc.clusterIPs) {
    maps.clusterIPs.add(ip);
    if (n === 0) {
      maps.noEndpointServices.push({ key: [ip, p, port], verdict: reject, comment });
      continue;
    }
    maps.serviceIPs.push({ key: [ip, p, port], verdict: dispatch('cluster'), comment });
    endpointsAt([ip, port], maps.endpoints);
  }
  if (!hasExternal(svc)) return used;
  for (const ip of [...svc.externalIPs, ...svc.loadBalancerIPs]) {
    if (n === 0) {
      maps.noEndpointServices.push({ key: [ip, p, port], verdict: reject, comment });
      continue;
    }
    maps.serviceIPs.push({ key: [ip, p, port], verdict: dispatch('external'), comment });
    endpointsAt([ip, port], maps.endpoints);
  }
  if (svc.nodePort !== undefined) {
    const np = String(svc.nodePort);
    if (n === 0) maps.noEndpointNodePorts.push({ key: [p, np], verdict: reject, comment });
    else {
      maps.nodePorts.push({ key: [p, np], verdict: dispatch('nodeport'), comment });
      endpointsAt([np], maps.nodePortEndpoints);
    }
  }
  addFirewall(st, suffix, p, port, comment, chains, maps);
  return used;
}

/** loadBalancerSourceRanges: a per-Service chain reached from the filter hook, whatever the dispatch. */
function addFirewall(st: ServicePortState, suffix: string, p: L4, port: string, comment: string, chains: Chain[], maps: Maps): void {
  const { svc } = st;
  if (svc.sourceRanges.length === 0 || svc.loadBalancerIPs.length === 0) return;
  const fw = N.fwChain(suffix);
  chains.push({ name: fw, rules: [rule([{ m: 'ip', field: 'saddr', neg: true, values: svc.sourceRanges }], [{ s: 'drop' }], comment)] });
  for (const ip of svc.loadBalancerIPs) maps.firewallIPs.push({ key: [ip, p, port], verdict: { v: 'goto', chain: fw }, comment });
}

function addPort(st: ServicePortState, suffix: string, facts: NodeFacts, chains: Chain[], sets: NamedSet[], maps: Maps): void {
  const { svc } = st;
  const p = proto(svc.protocol);
  const port = String(svc.port);
  const comment = `${svc.namespace}/${svc.name}${svc.portName ? ':' + svc.portName : ''}`;
  const all = usableEndpoints(st.endpoints);
  const local = localEndpoints(st.endpoints, facts.nodeName);
  const affinity = svc.affinityTimeoutSeconds !== undefined;
  const svcName = N.svcChain(suffix);
  const localName = N.localChain(suffix);
  const extName = N.extChain(suffix);
  const needLocal = svc.internalTrafficLocal || svc.externalTrafficLocal;
  const external = hasExternal(svc);

  // Affinity sets per endpoint, shared by the svc- and local- chains.
  if (affinity) {
    const epSet = new Set<string>();
    for (const e of [...all, ...(needLocal ? local : [])]) {
      const aff = N.affinitySet(suffix, e.ip, e.port);
      if (epSet.has(aff)) continue;
      epSet.add(aff);
      sets.push({ name: aff, map: false, type: 'ipv4_addr', timeoutSeconds: svc.affinityTimeoutSeconds, elements: [] });
    }
  }

  const masqOffPod: Rule[] = [];
  if (facts.podCIDR) {
    for (const ip of svc.clusterIPs) {
      masqOffPod.push(
        rule(
          [
            { m: 'ip', field: 'daddr', values: [ip] },
            { m: 'l4proto', proto: p },
            { m: 'dport', port: svc.port },
            { m: 'ip', field: 'saddr', neg: true, values: [facts.podCIDR] },
          ],
          [{ s: 'jump', chain: N.MARK_FOR_MASQUERADE }],
        ),
      );
    }
  }
  chains.push({ name: svcName, rules: [...masqOffPod, ...dispatchRules(suffix, all, affinity, p)] });
  if (needLocal) chains.push({ name: localName, rules: dispatchRules(suffix, local, affinity, p) });

  // No usable endpoint at all → reject (clients see "connection refused"); endpoints exist but none
  // on this node under a Local policy → drop, as kube-proxy (the client should not be told "refused"
  // when the Service is healthy elsewhere).
  const noEndpoints = (eps: readonly EndpointInfo[]): ElementVerdict | undefined =>
    eps.length > 0 ? undefined : all.length === 0 ? { v: 'goto', chain: N.REJECT_CHAIN } : { v: 'drop' };

  const internalTarget = svc.internalTrafficLocal ? localName : svcName;
  const internalNone = noEndpoints(svc.internalTrafficLocal ? local : all);
  for (const ip of svc.clusterIPs) {
    maps.clusterIPs.add(ip);
    maps.serviceIPs.push({ key: [ip, p, port], verdict: { v: 'goto', chain: internalTarget }, comment });
    if (internalNone) maps.noEndpointServices.push({ key: [ip, p, port], verdict: internalNone, comment });
  }

  if (!external) return;
  if (svc.externalTrafficLocal) {
    chains.push({
      name: extName,
      rules: [
        // The node itself reaching an external address: there is no client source to preserve.
        rule([{ m: 'fib-local', field: 'saddr' }], [{ s: 'jump', chain: N.MARK_FOR_MASQUERADE }]),
        rule([{ m: 'fib-local', field: 'saddr' }], [{ s: 'goto', chain: svcName }]),
        rule([], [{ s: 'goto', chain: localName }]),
      ],
    });
  } else {
    chains.push({
      name: extName,
      rules: [rule([], [{ s: 'jump', chain: N.MARK_FOR_MASQUERADE }]), rule([], [{ s: 'goto', chain: svcName }])],
    });
  }
  const externalNone = noEndpoints(svc.externalTrafficLocal ? local : all);
  for (const ip of [...svc.externalIPs, ...svc.loadBalancerIPs]) {
    maps.serviceIPs.push({ key: [ip, p, port], verdict: { v: 'goto', chain: extName }, comment });
    if (externalNone) maps.noEndpointServices.push({ key: [ip, p, port], verdict: externalNone, comment });
  }
  if (svc.nodePort !== undefined) {
    maps.nodePorts.push({ key: [p, String(svc.nodePort)], verdict: { v: 'goto', chain: extName }, comment });
    if (externalNone) maps.noEndpointNodePorts.push({ key: [p, String(svc.nodePort)], verdict: externalNone, comment });
  }
  addFirewall(st, suffix, p, port, comment, chains, maps);
}

/** lb-1, lb-2, …, then ext-lb-N, then nodeport-lb-N (numeric order, for a readable listing). */
function byLbChain(a: string, b: string): number {
  const rank = (s: string) => (s.startsWith('ext-') ? 1 : s.startsWith('nodeport-') ? 2 : 0);
  const num = (s: string) => Number(s.slice(s.lastIndexOf('-') + 1));
  return rank(a) - rank(b) || num(a) - num(b);
}

/** Rules in the shared lb chains in use (few chains: counted on demand). */
export function lbChainTotals(rs: GeneratedRuleset): { chains: number; rules: number } {
  let rules = 0;
  for (const name of rs.lbChains.keys()) rules += lbChainFor(name, rs.facts).rules.length;
  return { chains: rs.lbChains.size, rules };
}

const byKey = (a: Element, b: Element): number => (a.key.join(' ') < b.key.join(' ') ? -1 : a.key.join(' ') > b.key.join(' ') ? 1 : 0);

export interface FragmentEntry {
  /** The tracker's object: unchanged Services keep the same one, so identity means "unchanged". */
  readonly input: ServicePortState;
  /** Service port id + "/" + protocol. */
  readonly key: string;
  /** The readable suffix before any collision hash. */
  readonly base: string;
  readonly suffix: string;
  readonly frag: Fragment;
}

/** What changed since the ruleset this one was generated from (the fast diff's input). */
export interface Changes {
  readonly from: GeneratedRuleset;
  /** Fragment keys added, regenerated or removed. */
  readonly keys: readonly string[];
  readonly clusterIPsAdded: readonly string[];
  readonly clusterIPsRemoved: readonly string[];
  readonly endpointIPsAdded: readonly string[];
  readonly endpointIPsRemoved: readonly string[];
  /** Shared `lb-N` chains that came into use / went out of use. */
  readonly lbChainsAdded: readonly string[];
  readonly lbChainsRemoved: readonly string[];
}

/** A generated ruleset that remembers its parts, so the next sync can reuse and diff them cheaply. */
export interface GeneratedRuleset extends Ruleset {
  readonly facts: NodeFacts;
  readonly factsKey: string;
  readonly shared: { readonly chains: readonly Chain[]; readonly sets: readonly NamedSet[] };
  // Layered maps (derived, never copied, from the previous generation's); do not modify.
  /** Keyed by service port id + "/" + protocol. */
  readonly fragments: LayeredMap<string, FragmentEntry>;
  /** The same entries by input object, to find unchanged ones without building keys. */
  readonly byInput: LayeredMap<ServicePortState, FragmentEntry>;
  /** Base suffix → how many ports use it (a count above 1 means hashed suffixes). */
  readonly bases: LayeredMap<string, number>;
  /** ClusterIP → how many ports have it. */
  readonly clusterIPs: LayeredMap<string, number>;
  /** Endpoint IP → how many ports list it (the hairpin set holds ip . ip for each). */
  readonly endpointIPs: LayeredMap<string, number>;
  /** Shared load-balancing chain → how many ports use it; a chain exists while its count is > 0. */
  readonly lbChains: LayeredMap<string, number>;
  /** Chains, rules and map elements of all fragments together (kept up to date incrementally). */
  readonly fragmentTotals: Totals;
  /** Set when generated incrementally from `changes.from`. */
  readonly changes?: Changes;
}

const VERDICT_MAPS: readonly [string, string][] = [
  [N.SERVICE_IPS, N.SERVICE_KEY_TYPE],
  [N.SERVICE_NODEPORTS, N.NODEPORT_KEY_TYPE],
  [N.NO_ENDPOINT_SERVICES, N.SERVICE_KEY_TYPE],
  [N.NO_ENDPOINT_NODEPORTS, N.NODEPORT_KEY_TYPE],
  [N.FIREWALL_IPS, N.SERVICE_KEY_TYPE],
];

export interface Totals {
  readonly chains: number;
  readonly rules: number;
  readonly elements: number;
}

function totalsOf(f: Fragment): Totals {
  let rules = 0;
  let elements = 0;
  for (const c of f.chains) rules += c.rules.length;
  for (const els of f.elements.values()) elements += els.length;
  return { chains: f.chains.length, rules, elements };
}

const addTotals = (a: Totals, b: Totals, sign: 1 | -1): Totals => ({
  chains: a.chains + sign * b.chains,
  rules: a.rules + sign * b.rules,
  elements: a.elements + sign * b.elements,
});

const portKey = (st: ServicePortState): string => st.svc.id + '/' + st.svc.protocol;
const portBase = (st: ServicePortState): string => N.baseSuffix(st.svc.namespace, st.svc.name, st.svc.portName, st.svc.port);

function count(m: LayeredMap<string, number>, k: string, d: number): void {
  const n = (m.get(k) ?? 0) + d;
  if (n === 0) m.delete(k);
  else m.set(k, n);
}

function sharedPart(facts: NodeFacts): GeneratedRuleset['shared'] {
  const sets: NamedSet[] = VERDICT_MAPS.map(([name, type]) => ({ name, map: true, type, elements: [] }));
  for (const p of L4S) {
    const data = N.endpointDataTypeof(p);
    sets.push({ name: N.endpointsMap(p), map: true, type: N.endpointsKeyTypeof(p), typeof: true, data, elements: [] });
    sets.push({ name: N.nodePortEndpointsMap(p), map: true, type: N.nodePortEndpointsKeyTypeof(p), typeof: true, data, elements: [] });
  }
  sets.push({ name: N.CLUSTER_IPS, map: false, type: 'ipv4_addr', elements: [] });
  sets.push({ name: N.HAIRPIN, map: false, type: N.HAIRPIN_KEY_TYPE, elements: [] });
  if (facts.nodePortAddresses.length > 0) {
    sets.push({ name: N.NODEPORT_IPS, map: false, type: 'ipv4_addr', elements: [...facts.nodePortAddresses].sort().map((ip) => ({ key: [ip] })) });
  }
  return { chains: [...baseChains(), ...sharedChains(facts)], sets };
}

/**
 * The ruleset for `state`. With `prev` (the last ruleset generated for the same node), the
 * fragments of unchanged Service ports are reused as they are and only the changed ones are
 * visited — at 10,000 Services one change costs one fragment, not 10,000.
 */
export function generateRuleset(state: readonly ServicePortState[], facts: NodeFacts, prev?: GeneratedRuleset): GeneratedRuleset {
  const factsKey = JSON.stringify(facts);
  if (prev && prev.factsKey === factsKey) return incremental(state, facts, prev) ?? fromScratch(state, facts, factsKey, prev);
  return fromScratch(state, facts, factsKey, undefined);
}

/** Every port visited; fragments of `reuse` kept where input and suffix are unchanged. */
function fromScratch(state: readonly ServicePortState[], facts: NodeFacts, factsKey: string, reuse: GeneratedRuleset | undefined): GeneratedRuleset {
  const suffixes = chainSuffixes(state);
  const fragments = new LayeredMap<string, FragmentEntry>();
  const byInput = new LayeredMap<ServicePortState, FragmentEntry>();
  const bases = new LayeredMap<string, number>();
  const clusterIPs = new LayeredMap<string, number>();
  const endpointIPs = new LayeredMap<string, number>();
  const lbChains = new LayeredMap<string, number>();
  let fragmentTotals: Totals = { chains: 0, rules: 0, elements: 0 };
  for (const st of state) {
    const key = portKey(st);
    const suffix = suffixes.get(key)!;
    const old = reuse?.fragments.get(key);
    const entry: FragmentEntry =
      old && old.input === st && old.suffix === suffix ? old : { input: st, key, base: portBase(st), suffix, frag: buildFragment(st, suffix, facts) };
    fragments.set(key, entry);
    byInput.set(st, entry);
    count(bases, entry.base, 1);
    for (const ip of entry.frag.clusterIPs) count(clusterIPs, ip, 1);
    for (const ip of entry.frag.endpointIPs) count(endpointIPs, ip, 1);
    for (const c of entry.frag.lbChains) count(lbChains, c, 1);
    fragmentTotals = addTotals(fragmentTotals, totalsOf(entry.frag), 1);
  }
  const shared = reuse?.shared ?? sharedPart(facts);
  return materialize({ facts, factsKey, shared, fragments, byInput, bases, clusterIPs, endpointIPs, lbChains, fragmentTotals });
}

/**
 * Only the ports whose input object is new are built; unchanged ones are found by identity.
 * Returns undefined when a change makes or breaks a suffix collision (other ports' chain names
 * change then) — the caller visits everything.
 */
function incremental(state: readonly ServicePortState[], facts: NodeFacts, prev: GeneratedRuleset): GeneratedRuleset | undefined {
  let kept = 0;
  const fresh: ServicePortState[] = [];
  for (const st of state) {
    if (prev.byInput.has(st)) kept++;
    else fresh.push(st);
  }
  // Entries that leave: replaced by a fresh input with the same key, or gone from the state.
  const leaving: FragmentEntry[] = [];
  const freshKeys = new Map<string, ServicePortState>();
  for (const st of fresh) {
    const key = portKey(st);
    if (freshKeys.has(key)) return undefined;
    freshKeys.set(key, st);
    const old = prev.fragments.get(key);
    if (old) leaving.push(old);
  }
  if (kept + leaving.length < prev.fragments.size) {
    const present = new Set(state);
    for (const e of prev.fragments.values()) if (!present.has(e.input) && !freshKeys.has(e.key)) leaving.push(e);
  }
  if (fresh.length === 0 && leaving.length === 0) {
    const { factsKey, shared, fragments, byInput, bases, clusterIPs, endpointIPs, lbChains, fragmentTotals } = prev;
    const none: string[] = [];
    const changes: Changes = {
      from: prev,
      keys: none,
      clusterIPsAdded: none,
      clusterIPsRemoved: none,
      endpointIPsAdded: none,
      endpointIPsRemoved: none,
      lbChainsAdded: none,
      lbChainsRemoved: none,
    };
    return materialize({ facts, factsKey, shared, fragments, byInput, bases, clusterIPs, endpointIPs, lbChains, fragmentTotals, changes });
  }
  const fragments = prev.fragments.derive();
  const byInput = prev.byInput.derive();
  const bases = prev.bases.derive();
  const clusterIPs = prev.clusterIPs.derive();
  const endpointIPs = prev.endpointIPs.derive();
  const lbChains = prev.lbChains.derive();
  let fragmentTotals = prev.fragmentTotals;
  const keys: string[] = [];
  const touchedBases = new Set<string>();
  for (const e of leaving) {
    fragments.delete(e.key);
    byInput.delete(e.input);
    count(bases, e.base, -1);
    touchedBases.add(e.base);
    for (const ip of e.frag.clusterIPs) count(clusterIPs, ip, -1);
    for (const ip of e.frag.endpointIPs) count(endpointIPs, ip, -1);
    for (const c of e.frag.lbChains) count(lbChains, c, -1);
    fragmentTotals = addTotals(fragmentTotals, totalsOf(e.frag), -1);
    keys.push(e.key);
  }
  for (const [key, st] of freshKeys) {
    const base = portBase(st);
    count(bases, base, 1);
    touchedBases.add(base);
    // A collision (now or before) renames other ports' chains: not for this path.
    if ((bases.get(base) ?? 0) > 1 || (prev.bases.get(base) ?? 0) > 1) return undefined;
    const entry: FragmentEntry = { input: st, key, base, suffix: base, frag: buildFragment(st, base, facts) };
    fragments.set(key, entry);
    byInput.set(st, entry);
    for (const ip of entry.frag.clusterIPs) count(clusterIPs, ip, 1);
    for (const ip of entry.frag.endpointIPs) count(endpointIPs, ip, 1);
    for (const c of entry.frag.lbChains) count(lbChains, c, 1);
    fragmentTotals = addTotals(fragmentTotals, totalsOf(entry.frag), 1);
    if (!keys.includes(key)) keys.push(key);
  }
  for (const b of touchedBases) if ((prev.bases.get(b) ?? 0) > 1 || (bases.get(b) ?? 0) > 1) return undefined;
  const delta = (before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>, ips: Iterable<string>) => {
    const added: string[] = [];
    const removed: string[] = [];
    for (const ip of new Set(ips)) {
      if (!before.has(ip) && after.has(ip)) added.push(ip);
      else if (before.has(ip) && !after.has(ip)) removed.push(ip);
    }
    return { added, removed };
  };
  const touched = [...leaving, ...[...freshKeys.keys()].map((k) => fragments.get(k)!)];
  const cips = delta(prev.clusterIPs, clusterIPs, touched.flatMap((e) => e.frag.clusterIPs));
  const eips = delta(prev.endpointIPs, endpointIPs, touched.flatMap((e) => e.frag.endpointIPs));
  const lbs = delta(prev.lbChains, lbChains, touched.flatMap((e) => e.frag.lbChains));
  return materialize({
    facts: prev.facts,
    factsKey: prev.factsKey,
    shared: prev.shared,
    fragments,
    byInput,
    bases,
    clusterIPs,
    endpointIPs,
    lbChains,
    fragmentTotals,
    changes: {
      from: prev,
      keys,
      clusterIPsAdded: cips.added,
      clusterIPsRemoved: cips.removed,
      endpointIPsAdded: eips.added,
      endpointIPsRemoved: eips.removed,
      lbChainsAdded: lbs.added,
      lbChainsRemoved: lbs.removed,
    },
  });
}

type Parts = Omit<GeneratedRuleset, 'chains' | 'sets'>;

/** Chains and sets (with every element, sorted) are built only when asked for: full scripts and the tracer. */
function materialize(parts: Parts): GeneratedRuleset {
  const { shared, fragments, clusterIPs, endpointIPs, lbChains, facts } = parts;
  let chains: Map<string, Chain> | undefined;
  let sets: Map<string, NamedSet> | undefined;
  const build = () => {
    chains = new Map(shared.chains.map((c) => [c.name, c]));
    for (const name of [...lbChains.keys()].sort(byLbChain)) chains.set(name, lbChainFor(name, facts));
    const affinity: NamedSet[] = [];
    const elements = new Map<string, Element[]>();
    for (const { frag } of fragments.values()) {
      for (const c of frag.chains) chains.set(c.name, c);
      affinity.push(...frag.sets);
      for (const [m, els] of frag.elements) {
        let l = elements.get(m);
        if (!l) elements.set(m, (l = []));
        l.push(...els);
      }
    }
    sets = new Map(affinity.map((x) => [x.name, x]));
    for (const x of shared.sets) {
      const els =
        x.name === N.CLUSTER_IPS
          ? [...clusterIPs.keys()].sort().map((ip) => ({ key: [ip] }))
          : x.name === N.HAIRPIN
            ? [...endpointIPs.keys()].sort().map((ip) => ({ key: [ip, ip] }))
            : x.map
              ? (elements.get(x.name) ?? []).sort(byKey)
              : x.elements;
      sets.set(x.name, { ...x, elements: els });
    }
  };
  return {
    ...parts,
    get chains() {
      if (!chains) build();
      return chains!;
    },
    get sets() {
      if (!sets) build();
      return sets!;
    },
  };
}
