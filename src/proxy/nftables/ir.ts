// A small typed model of the nftables objects kubesvc writes. The generator builds it, `render`
// turns it into `nft -f` text, and the packet tracer evaluates it — so the tracer checks exactly
// the rules that are loaded, without parsing nft's language.
import { MASQ_MARK } from './names.js';

export type Hook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';

export interface BaseChainSpec {
  readonly type: 'filter' | 'nat';
  readonly hook: Hook;
  readonly priority: number;
}

export type L4 = 'tcp' | 'udp' | 'sctp';

/** Keys a verdict map or a set is looked up with. */
export type LookupKey = 'daddr.proto.dport' | 'proto.dport' | 'saddr' | 'daddr' | 'saddr.daddr';

/** Keys of the per-protocol endpoint maps: the Service's address and port, then the endpoint's index. */
export type EndpointKey = 'daddr.dport.numgen' | 'dport.numgen';

export type Match =
  /** ip saddr/daddr [!=] <addr | cidr | { list }> */
  | { readonly m: 'ip'; readonly field: 'saddr' | 'daddr'; readonly neg?: boolean; readonly values: readonly string[] }
  /** ip saddr/daddr @set (membership in a named set) */
  | { readonly m: 'in-set'; readonly key: LookupKey; readonly set: string }
  /** fib saddr/daddr type local */
  | { readonly m: 'fib-local'; readonly field: 'saddr' | 'daddr' }
  | { readonly m: 'ct-new' }
  /** meta mark & MASQ_MARK == 0 */
  | { readonly m: 'no-masq-mark' }
  | { readonly m: 'l4proto'; readonly proto: L4 }
  /** th dport N (needs an l4proto match before it) */
  | { readonly m: 'dport'; readonly port: number }
  /**
   * numgen random mod N == 0. Rules i = 0..N-2 of an endpoint cascade carry mod N-i (the last rule
   * none), so each of N endpoints is picked with probability 1/N — no anonymous map, no chain.
   */
  | { readonly m: 'numgen'; readonly mod: number };

export type Stmt =
  | { readonly s: 'vmap'; readonly key: LookupKey; readonly map: string }
  | { readonly s: 'jump' | 'goto'; readonly chain: string }
  | { readonly s: 'dnat'; readonly ip: string; readonly port: number }
  /**
   * dnat ip addr . port to [ip daddr .] <proto> dport . numgen random mod N map @map — one rule
   * serves every Service of that protocol with N endpoints: the map says, per Service address and
   * drawn index, which endpoint. Follows an l4proto match of the same protocol.
   */
  | { readonly s: 'dnat-map'; readonly key: EndpointKey; readonly proto: L4; readonly mod: number; readonly map: string }
  | { readonly s: 'masquerade'; readonly fullyRandom?: boolean }
  | { readonly s: 'set-masq-mark' }
  | { readonly s: 'clear-masq-mark' }
  /** update @set { ip saddr } — refreshes the client's affinity entry */
  | { readonly s: 'update-saddr'; readonly set: string }
  | { readonly s: 'accept' | 'drop' | 'return' }
  | { readonly s: 'reject'; readonly tcpReset: boolean };

export interface Rule {
  readonly match: readonly Match[];
  readonly stmts: readonly Stmt[];
  readonly comment?: string;
}

export interface Chain {
  readonly name: string;
  readonly base?: BaseChainSpec;
  readonly rules: readonly Rule[];
}

/** A verdict a map element carries. */
export type ElementVerdict = { readonly v: 'goto'; readonly chain: string } | { readonly v: 'drop' };

export interface Element {
  /** Key parts, e.g. ["10.96.0.10", "udp", "53"]. */
  readonly key: readonly string[];
  readonly verdict?: ElementVerdict;
  /** A data map's value parts, e.g. ["10.244.0.5", "8080"] (endpoint address . port). */
  readonly data?: readonly string[];
  readonly comment?: string;
}

export interface NamedSet {
  readonly name: string;
  /** A map when true (elements carry verdicts, or `data`), a plain set otherwise. */
  readonly map: boolean;
  /** The key's nft type, or with `typeof`, the expressions whose types it takes. */
  readonly type: string;
  /** Declared by expressions (`typeof`): needed for a numgen part, which has no type name. */
  readonly typeof?: boolean;
  /** A data map's value type (expressions when `typeof`); a map without it is a verdict map. */
  readonly data?: string;
  /** Prefixes allowed as elements (the service CIDR set). */
  readonly interval?: boolean;
  /** A dynamic set that rules fill, with per-element timeout (session affinity). */
  readonly timeoutSeconds?: number;
  readonly elements: readonly Element[];
}

export interface Ruleset {
  readonly chains: ReadonlyMap<string, Chain>;
  readonly sets: ReadonlyMap<string, NamedSet>;
}

// ---- rendering ---------------------------------------------------------------------------------

const hex = (n: number): string => '0x' + n.toString(16).padStart(8, '0');

function list(values: readonly string[]): string {
  return values.length === 1 ? values[0] : `{ ${values.join(', ')} }`;
}

function lookupExpr(key: LookupKey): string {
  switch (key) {
    case 'daddr.proto.dport':
      return 'ip daddr . meta l4proto . th dport';
    case 'proto.dport':
      return 'meta l4proto . th dport';
    case 'saddr':
      return 'ip saddr';
    case 'daddr':
      return 'ip daddr';
    case 'saddr.daddr':
      return 'ip saddr . ip daddr';
  }
}

function endpointKeyExpr(key: EndpointKey, p: L4, mod: number): string {
  return `${key === 'daddr.dport.numgen' ? 'ip daddr . ' : ''}${p} dport . numgen random mod ${mod}`;
}

export function renderMatch(x: Match): string {
  switch (x.m) {
    case 'ip':
      return `ip ${x.field}${x.neg ? ' !=' : ''} ${list(x.values)}`;
    case 'in-set':
      return `${lookupExpr(x.key)} @${x.set}`;
    case 'fib-local':
      return `fib ${x.field} type local`;
    case 'ct-new':
      return 'ct state new';
    case 'no-masq-mark':
      return `meta mark & ${hex(MASQ_MARK)} == 0x00000000`;
    case 'l4proto':
      return `meta l4proto ${x.proto}`;
    case 'dport':
      return `th dport ${x.port}`;
    case 'numgen':
      return `numgen random mod ${x.mod} == 0`;
  }
}

export function renderStmt(x: Stmt): string {
  switch (x.s) {
    case 'vmap':
      return `${lookupExpr(x.key)} vmap @${x.map}`;
    case 'jump':
    case 'goto':
      return `${x.s} ${x.chain}`;
    case 'dnat':
      return `dnat to ${x.ip}:${x.port}`;
    case 'dnat-map':
      return `dnat ip addr . port to ${endpointKeyExpr(x.key, x.proto, x.mod)} map @${x.map}`;
    case 'masquerade':
      return x.fullyRandom ? 'masquerade fully-random' : 'masquerade';
    case 'set-masq-mark':
      return `meta mark set meta mark | ${hex(MASQ_MARK)}`;
    case 'clear-masq-mark':
      return `meta mark set meta mark ^ ${hex(MASQ_MARK)}`;
    case 'update-saddr':
      return `update @${x.set} { ip saddr }`;
    case 'accept':
    case 'drop':
    case 'return':
      return x.s;
    case 'reject':
      return x.tcpReset ? 'reject with tcp reset' : 'reject';
  }
}

function quote(s: string): string {
  return `"${s.replace(/["\\]/g, '')}"`;
}

export function renderRule(r: Rule): string {
  const parts = [...r.match.map(renderMatch), ...r.stmts.map(renderStmt)];
  if (r.comment) parts.push(`comment ${quote(r.comment)}`);
  return parts.join(' ');
}

export function renderElement(e: Element): string {
  let s = e.key.join(' . ');
  if (e.comment) s += ` comment ${quote(e.comment)}`;
  if (e.verdict) s += e.verdict.v === 'drop' ? ' : drop' : ` : goto ${e.verdict.chain}`;
  if (e.data) s += ` : ${e.data.join(' . ')}`;
  return s;
}

export function renderSetSpec(s: NamedSet): string {
  const value = s.map ? ` : ${s.data ?? 'verdict'}` : '';
  const parts = [`${s.typeof ? 'typeof' : 'type'} ${s.type}${value} ;`];
  const flags = [...(s.interval ? ['interval'] : []), ...(s.timeoutSeconds !== undefined ? ['dynamic', 'timeout'] : [])];
  if (flags.length) parts.push(`flags ${flags.join(',')} ;`);
  if (s.timeoutSeconds !== undefined) parts.push(`timeout ${s.timeoutSeconds}s ;`);
  return `{ ${parts.join(' ')} }`;
}

export function renderChainSpec(c: Chain): string {
  return c.base ? ` { type ${c.base.type} hook ${c.base.hook} priority ${c.base.priority} ; }` : '';
}
