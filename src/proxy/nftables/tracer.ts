// A packet tracer over the generated ruleset: follows the first packet of a new connection through
// the netfilter hooks kubesvc uses, evaluating our chains, maps and sets the way the kernel would.
// It needs no root, so unit tests check behaviour ("a pod reaching web:80 lands on one of these
// endpoints, masqueraded") rather than rule text alone. It knows only what the generator emits.
import type { Chain, Element, Hook, LookupKey, Match, NamedSet, Ruleset, Stmt } from './ir.js';
import { MASQ_MARK } from './names.js';

export interface Packet {
  readonly saddr: string;
  readonly daddr: string;
  readonly proto: 'tcp' | 'udp' | 'sctp';
  readonly dport: number;
}

export interface TraceEnv {
  /** Addresses of this node (what `fib ... type local` matches); 127.0.0.0/8 is always local. */
  readonly localAddresses: readonly string[];
  /** Picks the numgen branch (default: 0). Tests enumerate or randomise it. */
  readonly choose?: (n: number) => number;
  /** Contents of dynamic sets (affinity), kept across traces: set → saddr → expiry (ms). */
  readonly dynamicSets?: Map<string, Map<string, number>>;
  /** Current time in ms, for affinity timeouts (default 0). */
  readonly nowMs?: number;
}

export type Origin = 'remote' | 'local';

export interface TraceResult {
  readonly verdict: 'accept' | 'drop' | 'reject';
  /** How a rejection looks to the client. */
  readonly reject?: 'tcp-reset' | 'icmp-port-unreachable';
  /** The destination after DNAT (unchanged when no DNAT happened). */
  readonly daddr: string;
  readonly dport: number;
  readonly dnat: boolean;
  readonly masquerade: boolean;
  /** Where the packet went after routing. */
  readonly delivered?: 'input' | 'forward';
  /** Chains entered, in order. */
  readonly chains: readonly string[];
}

type Flow = 'continue' | 'return' | { readonly final: 'accept' | 'drop' | 'reject'; readonly reject?: TraceResult['reject'] };

interface PacketState {
  saddr: string;
  daddr: string;
  dport: number;
  proto: Packet['proto'];
  mark: number;
  dnat: boolean;
  masquerade: boolean;
  chains: string[];
  /** The endpoint index drawn by the current chain's numgen cascade (one draw per chain run). */
  draw?: { readonly total: number; readonly index: number };
}

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0) >>> 0;
}

export function inCidr(ip: string, cidr: string): boolean {
  const [net, bitsStr] = cidr.split('/');
  if (bitsStr === undefined) return ip === net;
  const bits = Number(bitsStr);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((ipToInt(ip) & mask) >>> 0) === ((ipToInt(net) & mask) >>> 0);
}

export class Tracer {
  private readonly dynamic: Map<string, Map<string, number>>;

  constructor(
    private readonly rs: Ruleset,
    private readonly env: TraceEnv,
  ) {
    this.dynamic = env.dynamicSets ?? new Map();
  }

  /** A packet arriving from a pod or another host ('remote'), or sent by the node itself ('local'). */
  trace(p: Packet, origin: Origin): TraceResult {
    const st: PacketState = { ...p, mark: 0, dnat: false, masquerade: false, chains: [] };
    const hooks: Hook[] = origin === 'remote' ? ['prerouting'] : ['output'];
    const res = this.runHooks(st, hooks[0]);
    if (res) return this.result(st, res);
    let delivered: TraceResult['delivered'];
    if (origin === 'remote') {
      delivered = this.isLocal(st.daddr) ? 'input' : 'forward';
      const r = this.runHooks(st, delivered);
      if (r) return this.result(st, r, delivered);
    }
    if (delivered !== 'input') {
      const r = this.runHooks(st, 'postrouting');
      if (r) return this.result(st, r, delivered);
    }
    return this.result(st, { final: 'accept' }, delivered);
  }

  private result(st: PacketState, f: Exclude<Flow, 'continue' | 'return'>, delivered?: TraceResult['delivered']): TraceResult {
    return {
      verdict: f.final,
      ...(f.reject ? { reject: f.reject } : {}),
      daddr: st.daddr,
      dport: st.dport,
      dnat: st.dnat,
      masquerade: st.masquerade,
      ...(delivered ? { delivered } : {}),
      chains: st.chains,
    };
  }

  /** Runs the base chains of one hook in priority order; returns a drop/reject, or undefined to go on. */
  private runHooks(st: PacketState, hook: Hook): Exclude<Flow, 'continue' | 'return'> | undefined {
    const bases = [...this.rs.chains.values()].filter((c) => c.base?.hook === hook).sort((a, b) => a.base!.priority - b.base!.priority);
    for (const c of bases) {
      // A nat chain sees only the first packet, and DNAT happens at most once per connection.
      if (c.base!.type === 'nat' && hook !== 'postrouting' && st.dnat) continue;
      const f = this.runChain(c, st, 0);
      if (typeof f === 'object' && f.final !== 'accept') return f;
    }
    return undefined;
  }

  private runChain(c: Chain, st: PacketState, depth: number): Flow {
    if (depth > 32) throw new Error(`chain loop at ${c.name}`);
    st.chains.push(c.name);
    st.draw = undefined;
    for (const r of c.rules) {
      if (!r.match.every((m) => this.matches(m, st))) continue;
      for (const s of r.stmts) {
        const f = this.exec(s, st, depth);
        if (f === 'nomatch') break;
        if (f === 'continue') continue;
        return f;
      }
    }
    return 'continue';
  }

  private chain(name: string): Chain {
    const c = this.rs.chains.get(name);
    if (!c) throw new Error(`rule refers to missing chain ${name}`);
    return c;
  }

  private set(name: string): NamedSet {
    const s = this.rs.sets.get(name);
    if (!s) throw new Error(`rule refers to missing set ${name}`);
    return s;
  }

  /** "jump": the callee's end returns here; "goto": it ends this chain too. */
  private call(kind: 'jump' | 'goto', name: string, st: PacketState, depth: number): Flow {
    const f = this.runChain(this.chain(name), st, depth + 1);
    if (typeof f === 'object') return f;
    return kind === 'goto' ? 'return' : 'continue';
  }

  /** 'nomatch': a map lookup found no element, so the rule did not match after all. */
  private exec(s: Stmt, st: PacketState, depth: number): Flow | 'nomatch' {
    switch (s.s) {
      case 'vmap': {
        const e = this.lookup(s.key, s.map, st);
        if (!e?.verdict) return 'nomatch';
        return e.verdict.v === 'drop' ? { final: 'drop' } : this.call('goto', e.verdict.chain, st, depth);
      }
      case 'jump':
      case 'goto':
        return this.call(s.s, s.chain, st, depth);
      case 'dnat':
        st.daddr = s.ip;
        st.dport = s.port;
        st.dnat = true;
        return { final: 'accept' };
      case 'dnat-map': {
        // The kernel draws numgen, builds the key and looks it up; no element breaks the rule.
        const index = this.draw(s.mod);
        if (st.proto !== s.proto) throw new Error(`a ${s.proto} endpoint map used for a ${st.proto} packet`);
        const k = `${s.key === 'daddr.dport.numgen' ? `${st.daddr} . ` : ''}${st.dport} . ${index}`;
        const e = this.set(s.map).elements.find((x) => x.key.join(' . ') === k);
        if (!e?.data) return 'nomatch';
        st.daddr = e.data[0];
        st.dport = Number(e.data[1]);
        st.dnat = true;
        return { final: 'accept' };
      }
      case 'masquerade':
        st.masquerade = true;
        return { final: 'accept' };
      case 'set-masq-mark':
        st.mark |= MASQ_MARK;
        return 'continue';
      case 'clear-masq-mark':
        st.mark ^= MASQ_MARK;
        return 'continue';
      case 'update-saddr': {
        const set = this.set(s.set);
        let m = this.dynamic.get(s.set);
        if (!m) this.dynamic.set(s.set, (m = new Map()));
        m.set(st.saddr, (this.env.nowMs ?? 0) + (set.timeoutSeconds ?? 0) * 1000);
        return 'continue';
      }
      case 'accept':
      case 'drop':
        return { final: s.s };
      case 'return':
        return 'return';
      case 'reject':
        return { final: 'reject', reject: s.tcpReset && st.proto === 'tcp' ? 'tcp-reset' : 'icmp-port-unreachable' };
    }
  }

  /** One numgen draw in [0, mod), by the environment's choice. */
  private draw(mod: number): number {
    const index = (this.env.choose ?? (() => 0))(mod);
    if (index < 0 || index >= mod) throw new Error(`choose returned ${index} for ${mod} branches`);
    return index;
  }

  private keyOf(key: LookupKey, st: PacketState): string {
    switch (key) {
      case 'daddr.proto.dport':
        return `${st.daddr} . ${st.proto} . ${st.dport}`;
      case 'proto.dport':
        return `${st.proto} . ${st.dport}`;
      case 'saddr':
        return st.saddr;
      case 'daddr':
        return st.daddr;
      case 'saddr.daddr':
        return `${st.saddr} . ${st.daddr}`;
    }
  }

  private lookup(key: LookupKey, name: string, st: PacketState): Element | undefined {
    const k = this.keyOf(key, st);
    const set = this.set(name);
    return set.elements.find((e) => (set.interval && e.key.length === 1 ? inCidr(k, e.key[0]) : e.key.join(' . ') === k));
  }

  private isLocal(ip: string): boolean {
    return inCidr(ip, '127.0.0.0/8') || this.env.localAddresses.includes(ip);
  }

  private matches(m: Match, st: PacketState): boolean {
    switch (m.m) {
      case 'ip': {
        const ip = m.field === 'saddr' ? st.saddr : st.daddr;
        const hit = m.values.some((v) => inCidr(ip, v));
        return m.neg ? !hit : hit;
      }
      case 'in-set': {
        const set = this.set(m.set);
        if (set.timeoutSeconds !== undefined) {
          const exp = this.dynamic.get(m.set)?.get(this.keyOf(m.key, st));
          return exp !== undefined && exp > (this.env.nowMs ?? 0);
        }
        return this.lookup(m.key, m.set, st) !== undefined;
      }
      case 'fib-local':
        return this.isLocal(m.field === 'saddr' ? st.saddr : st.daddr);
      case 'ct-new':
        return true;
      case 'no-masq-mark':
        return (st.mark & MASQ_MARK) === 0;
      case 'l4proto':
        return st.proto === m.proto;
      case 'dport':
        return st.dport === m.port;
      case 'numgen': {
        // The cascade's first rule has the largest modulus (N); rule i has N-i. One draw over N
        // stands for the kernel's independent draws, with the same distribution.
        if (!st.draw) st.draw = { total: m.mod, index: this.draw(m.mod) };
        return st.draw.total - m.mod === st.draw.index;
      }
    }
  }
}
