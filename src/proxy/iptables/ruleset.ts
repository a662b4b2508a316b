// The desired state → kube-proxy's iptables layout, as a pure function, so users find what they
// know from real nodes: `iptables -t nat -L KUBE-SERVICES -n | grep <service>`.
//
//   nat:    PREROUTING/OUTPUT → KUBE-SERVICES → KUBE-SVC-* (random over KUBE-SEP-*, DNAT there)
//                              └ (local dst) KUBE-NODEPORTS → KUBE-EXT-* → KUBE-SVC-*/KUBE-SVL-*
//           LB IPs with source ranges → KUBE-FW-* (allowed → KUBE-EXT-*, others KUBE-MARK-DROP)
//           POSTROUTING → KUBE-POSTROUTING: MASQUERADE what KUBE-MARK-MASQ marked
//   filter: KUBE-SERVICES / KUBE-EXTERNAL-SERVICES reject Services without endpoints (and, beyond
//           kube-proxy, unallocated service-CIDR addresses); KUBE-FIREWALL drops KUBE-MARK-DROP.
// Chain names hash "ns/name:port" + protocol (+ endpoint) as kube-proxy does, so they match.
import { createHash } from 'node:crypto';
import { hasExternal, localEndpoints, usableEndpoints, type EndpointInfo, type NodeFacts, type ServicePortState } from '../model.js';

export const MASQ_MARK = '0x4000';
export const DROP_MARK = '0x8000';

export const KUBE_SERVICES = 'KUBE-SERVICES';
export const KUBE_EXTERNAL_SERVICES = 'KUBE-EXTERNAL-SERVICES';
export const KUBE_NODEPORTS = 'KUBE-NODEPORTS';
export const KUBE_POSTROUTING = 'KUBE-POSTROUTING';
export const KUBE_MARK_MASQ = 'KUBE-MARK-MASQ';
export const KUBE_MARK_DROP = 'KUBE-MARK-DROP';
export const KUBE_FIREWALL = 'KUBE-FIREWALL';
export const KUBE_FORWARD = 'KUBE-FORWARD';

/** Chains of ours: fixed ones plus the per-Service prefixes. */
export const OWNED_CHAIN = /^KUBE-(SERVICES|EXTERNAL-SERVICES|NODEPORTS|POSTROUTING|MARK-MASQ|MARK-DROP|FIREWALL|FORWARD|(SVC|SVL|SEP|EXT|FW)-[A-Z2-7]{16})$/;

export type Table = 'nat' | 'filter';

export interface IptablesRuleset {
  /** table → chain → rule specs (without "-A CHAIN"), in order. */
  readonly tables: Record<Table, Map<string, string[]>>;
}

/** A jump from a built-in chain into ours. */
export interface HookRule {
  readonly table: Table;
  readonly chain: string;
  readonly spec: readonly string[];
}

export const HOOKS: readonly HookRule[] = [
  { table: 'nat', chain: 'PREROUTING', spec: ['-m', 'comment', '--comment', 'kubernetes service portals', '-j', KUBE_SERVICES] },
  { table: 'nat', chain: 'OUTPUT', spec: ['-m', 'comment', '--comment', 'kubernetes service portals', '-j', KUBE_SERVICES] },
  { table: 'nat', chain: 'POSTROUTING', spec: ['-m', 'comment', '--comment', 'kubernetes postrouting rules', '-j', KUBE_POSTROUTING] },
  { table: 'filter', chain: 'INPUT', spec: ['-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'kubernetes externally-visible service portals', '-j', KUBE_EXTERNAL_SERVICES] },
  { table: 'filter', chain: 'INPUT', spec: ['-j', KUBE_FIREWALL] },
  { table: 'filter', chain: 'FORWARD', spec: ['-m', 'comment', '--comment', 'kubernetes forwarding rules', '-j', KUBE_FORWARD] },
  { table: 'filter', chain: 'FORWARD', spec: ['-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'kubernetes service portals', '-j', KUBE_SERVICES] },
  { table: 'filter', chain: 'FORWARD', spec: ['-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'kubernetes externally-visible service portals', '-j', KUBE_EXTERNAL_SERVICES] },
  { table: 'filter', chain: 'OUTPUT', spec: ['-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'kubernetes service portals', '-j', KUBE_SERVICES] },
  { table: 'filter', chain: 'OUTPUT', spec: ['-j', KUBE_FIREWALL] },
];

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 of the SHA-256 of `s`, first 16 characters (kube-proxy's chain-name hash). */
export function hash16(s: string): string {
  const bytes = createHash('sha256').update(s).digest();
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < 16) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= 16) break;
  }
  return out;
}

/** "ns/name:port", or "ns/name" for an unnamed port (kube-proxy's ServicePortName.String()). */
export function servicePortName(st: ServicePortState): string {
  const s = st.svc;
  return s.portName ? `${s.namespace}/${s.name}:${s.portName}` : `${s.namespace}/${s.name}`;
}

const svcHash = (st: ServicePortState) => hash16(servicePortName(st) + st.svc.protocol.toLowerCase());
export const svcChainName = (st: ServicePortState) => `KUBE-SVC-${svcHash(st)}`;
export const svlChainName = (st: ServicePortState) => `KUBE-SVL-${svcHash(st)}`;
export const extChainName = (st: ServicePortState) => `KUBE-EXT-${svcHash(st)}`;
export const fwChainName = (st: ServicePortState) => `KUBE-FW-${svcHash(st)}`;
export const sepChainName = (st: ServicePortState, e: EndpointInfo) =>
  `KUBE-SEP-${hash16(servicePortName(st) + st.svc.protocol.toLowerCase() + `${e.ip}:${e.port}`)}`;

const q = (s: string) => `"${s.replace(/"/g, '')}"`;
const comment = (s: string) => `-m comment --comment ${q(s)}`;

function dispatch(st: ServicePortState, eps: readonly EndpointInfo[]): string[] {
  const name = servicePortName(st);
  const rules: string[] = [];
  const t = st.svc.affinityTimeoutSeconds;
  if (t !== undefined) {
    for (const e of eps) {
      const sep = sepChainName(st, e);
      rules.push(`${comment(`${name} -> ${e.ip}:${e.port}`)} -m recent --name ${sep} --mask 255.255.255.255 --rsource --rcheck --seconds ${t} --reap -j ${sep}`);
    }
  }
  eps.forEach((e, i) => {
    const left = eps.length - i;
    const stat = left > 1 ? ` -m statistic --mode random --probability ${(1 / left).toFixed(11)}` : '';
    rules.push(`${comment(`${name} -> ${e.ip}:${e.port}`)}${stat} -j ${sepChainName(st, e)}`);
  });
  return rules;
}

export function generateIptables(state: readonly ServicePortState[], facts: NodeFacts): IptablesRuleset {
  const nat = new Map<string, string[]>();
  const filter = new Map<string, string[]>();
  const add = (m: Map<string, string[]>, chain: string, rule?: string) => {
    let l = m.get(chain);
    if (!l) m.set(chain, (l = []));
    if (rule !== undefined) l.push(rule);
  };
  for (const c of [KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ, KUBE_MARK_DROP]) add(nat, c);
  for (const c of [KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FIREWALL, KUBE_FORWARD]) add(filter, c);

  add(nat, KUBE_POSTROUTING, `-m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`);
  add(nat, KUBE_POSTROUTING, `-j MARK --xor-mark ${MASQ_MARK}`);
  // TCP keeps its source port where it can (see the nftables masquerading chain for why); the rest
  // is masqueraded fully at random, as kube-proxy does.
  add(nat, KUBE_POSTROUTING, `-p tcp ${comment('kubernetes service traffic requiring SNAT')} -j MASQUERADE`);
  add(nat, KUBE_POSTROUTING, `${comment('kubernetes service traffic requiring SNAT')} -j MASQUERADE --random-fully`);
  add(nat, KUBE_MARK_MASQ, `-j MARK --or-mark ${MASQ_MARK}`);
  add(nat, KUBE_MARK_DROP, `-j MARK --or-mark ${DROP_MARK}`);
  add(filter, KUBE_FIREWALL, `${comment('kubernetes firewall for dropping marked packets')} -m mark --mark ${DROP_MARK}/${DROP_MARK} -j DROP`);
  add(filter, KUBE_FORWARD, '-m conntrack --ctstate INVALID -j DROP');
  add(filter, KUBE_FORWARD, `${comment('kubernetes forwarding rules')} -m mark --mark ${MASQ_MARK}/${MASQ_MARK} -j ACCEPT`);
  add(filter, KUBE_FORWARD, `${comment('kubernetes forwarding conntrack rule')} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);

  const nodeDst = facts.nodePortAddresses.length > 0 ? undefined : '-m addrtype --dst-type LOCAL';
  for (const st of state) {
    const s = st.svc;
    const name = servicePortName(st);
    const p = s.protocol.toLowerCase();
    const match = (ip: string) => `-m ${p} -p ${p} -d ${ip}/32 --dport ${s.port}`;
    const all = usableEndpoints(st.endpoints);
    const local = localEndpoints(st.endpoints, facts.nodeName);
    const svcChain = svcChainName(st);
    const svlChain = svlChainName(st);
    const extChain = extChainName(st);
    const needLocal = s.internalTrafficLocal || s.externalTrafficLocal;
    const none = (eps: readonly EndpointInfo[]) =>
      eps.length > 0 ? undefined : all.length === 0 ? { what: 'has no endpoints', j: '-j REJECT' } : { what: 'has no local endpoints', j: '-j DROP' };

    // Endpoint chains.
    const seps = new Map<string, EndpointInfo>();
    for (const e of [...all, ...(needLocal ? local : [])]) seps.set(`${e.ip}:${e.port}`, e);
    for (const e of seps.values()) {
      const sep = sepChainName(st, e);
      add(nat, sep, `${comment(name)} -s ${e.ip}/32 -j ${KUBE_MARK_MASQ}`);
      const recent = s.affinityTimeoutSeconds !== undefined ? ` -m recent --set --name ${sep} --mask 255.255.255.255 --rsource` : '';
      add(nat, sep, `${comment(name)}${recent} -m ${p} -p ${p} -j DNAT --to-destination ${e.ip}:${e.port}`);
    }
    if (all.length > 0) {
      if (facts.podCIDR) for (const ip of s.clusterIPs) add(nat, svcChain, `${comment(`${name} cluster IP`)} ${match(ip)} ! -s ${facts.podCIDR} -j ${KUBE_MARK_MASQ}`);
      for (const r of dispatch(st, all)) add(nat, svcChain, r);
    }
    if (needLocal && local.length > 0) for (const r of dispatch(st, local)) add(nat, svlChain, r);

    const internalNone = none(s.internalTrafficLocal ? local : all);
    for (const ip of s.clusterIPs) {
      if (internalNone) add(filter, KUBE_SERVICES, `${comment(`${name} ${internalNone.what}`)} ${match(ip)} ${internalNone.j}`);
      else add(nat, KUBE_SERVICES, `${comment(`${name} cluster IP`)} ${match(ip)} -j ${s.internalTrafficLocal ? svlChain : svcChain}`);
    }
    if (!hasExternal(s)) continue;
    const externalNone = none(s.externalTrafficLocal ? local : all);
    if (externalNone) {
      for (const ip of [...s.externalIPs, ...s.loadBalancerIPs]) add(filter, KUBE_EXTERNAL_SERVICES, `${comment(`${name} ${externalNone.what}`)} ${match(ip)} ${externalNone.j}`);
      if (s.nodePort !== undefined) {
        add(filter, KUBE_EXTERNAL_SERVICES, `${comment(`${name} ${externalNone.what}`)}${nodeDst ? ' ' + nodeDst : ''} -m ${p} -p ${p} --dport ${s.nodePort} ${externalNone.j}`);
      }
      continue;
    }
    if (s.externalTrafficLocal) {
      add(nat, extChain, `${comment(`masquerade LOCAL traffic for ${name} external destinations`)} -m addrtype --src-type LOCAL -j ${KUBE_MARK_MASQ}`);
      add(nat, extChain, `${comment(`route LOCAL traffic for ${name} external destinations`)} -m addrtype --src-type LOCAL -j ${svcChain}`);
      add(nat, extChain, `-j ${svlChain}`);
    } else {
      add(nat, extChain, `${comment(`masquerade traffic for ${name} external destinations`)} -j ${KUBE_MARK_MASQ}`);
      add(nat, extChain, `-j ${svcChain}`);
    }
    for (const ip of s.externalIPs) add(nat, KUBE_SERVICES, `${comment(`${name} external IP`)} ${match(ip)} -j ${extChain}`);
    const fw = s.sourceRanges.length > 0 ? fwChainName(st) : undefined;
    for (const ip of s.loadBalancerIPs) add(nat, KUBE_SERVICES, `${comment(`${name} loadbalancer IP`)} ${match(ip)} -j ${fw ?? extChain}`);
    if (fw) {
      for (const r of s.sourceRanges) add(nat, fw, `${comment(`${name} loadbalancer IP`)} -s ${r} -j ${extChain}`);
      add(nat, fw, `${comment(`${name} loadbalancer IP`)} -j ${KUBE_MARK_DROP}`);
    }
    if (s.nodePort !== undefined) add(nat, KUBE_NODEPORTS, `${comment(name)} -m ${p} -p ${p} --dport ${s.nodePort} -j ${extChain}`);
  }
  // Beyond kube-proxy: a service address nobody has (or a ClusterIP's unused port, which was not
  // DNATed) is refused instead of being routed out of the node.
  for (const cidr of facts.serviceCIDRs) add(filter, KUBE_SERVICES, `${comment('unallocated service IP')} -d ${cidr} -j REJECT`);
  const toNodePorts = `${comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain')}`;
  if (nodeDst) add(nat, KUBE_SERVICES, `${toNodePorts} ${nodeDst} -j ${KUBE_NODEPORTS}`);
  else for (const ip of facts.nodePortAddresses) add(nat, KUBE_SERVICES, `${toNodePorts} -d ${ip}/32 -j ${KUBE_NODEPORTS}`);
  return { tables: { nat, filter } };
}

/**
 * An iptables-restore --noflush script: declaring a chain flushes it, so every chain of ours is
 * rewritten whole; chains we had (`existing`) and no longer want are deleted after the rewrite.
 */
export function restoreScript(rs: IptablesRuleset, existing: Record<Table, ReadonlySet<string>>): string {
  const out: string[] = [];
  for (const table of ['filter', 'nat'] as const) {
    const chains = rs.tables[table];
    const stale = [...existing[table]].filter((c) => OWNED_CHAIN.test(c) && !chains.has(c)).sort();
    out.push(`*${table}`);
    for (const c of chains.keys()) out.push(`:${c} - [0:0]`);
    for (const c of stale) out.push(`:${c} - [0:0]`);
    for (const [c, rules] of chains) for (const r of rules) out.push(`-A ${c} ${r}`);
    for (const c of stale) out.push(`-X ${c}`);
    out.push('COMMIT');
  }
  return out.join('\n') + '\n';
}

/**
 * A partial restore (kube-proxy's partial sync): only the chains whose rules differ from `prev`
 * (what the kernel holds, from our last successful restore) are declared — which flushes them —
 * and refilled; chains `prev` had and `next` lacks are flushed and deleted. Unchanged chains are
 * not named, so `--noflush` leaves them alone. A chain that stops being referenced always changes
 * its referrer (the jump is in its rules), so no deleted chain is still in use. Returns "" when
 * nothing changed; a table without changes is left out.
 */
export function partialRestoreScript(prev: IptablesRuleset, next: IptablesRuleset): string {
  const out: string[] = [];
  for (const table of ['filter', 'nat'] as const) {
    const before = prev.tables[table];
    const after = next.tables[table];
    const changed = [...after].filter(([c, rules]) => !sameRules(before.get(c), rules)).map(([c]) => c);
    const gone = [...before.keys()].filter((c) => !after.has(c)).sort();
    if (changed.length === 0 && gone.length === 0) continue;
    out.push(`*${table}`);
    for (const c of [...changed, ...gone]) out.push(`:${c} - [0:0]`);
    for (const c of changed) for (const r of after.get(c)!) out.push(`-A ${c} ${r}`);
    for (const c of gone) out.push(`-X ${c}`);
    out.push('COMMIT');
  }
  return out.length ? out.join('\n') + '\n' : '';
}

function sameRules(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((r, i) => r === b[i]);
}

/** Chain names from `iptables-save -t <table>` output. */
export function chainsInSave(save: string): Set<string> {
  const out = new Set<string>();
  for (const line of save.split('\n')) if (line.startsWith(':')) out.add(line.slice(1).split(' ')[0]);
  return out;
}
