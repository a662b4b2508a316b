// Authoritative answers for the cluster zone (the Kubernetes DNS specification, schema 1.1.0),
// with CoreDNS's kubernetes plugin behaviour where the specification leaves a choice (see README).
// Pure: reads the ZoneIndex, returns records; the server adds header flags, EDNS and truncation.
import { isIP } from 'node:net';
import type { Answer, RecordType } from 'dns-packet';
import type { PodMode } from './config.js';
import { canonicalIP, type EndpointRef, type PortRef, type ZoneIndex } from './zone-index.js';

export const SCHEMA_VERSION = '1.1.0';

export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'FORMERR' | 'NOTIMP' | 'REFUSED';

export interface ZoneAnswer {
  rcode: Rcode;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
  /** An ExternalName's target, to be resolved for the same type and appended (CoreDNS does this). */
  chase?: string;
}

export interface AnswerContext {
  zone: string;
  ttl: number;
  podMode: PodMode;
  index: ZoneIndex;
  /** Addresses of `ns.dns.<zone>` (the kube-dns Service's ClusterIPs, or configured ones). */
  nsAddresses(): string[];
}

/** One thing a name points at: an address, optionally with a port and the SRV target it belongs to. */
interface Hit {
  ip: string;
  port?: PortRef;
  target: string;
}

/** Whether `name` (lower case, no trailing dot) lies in `zone`; returns the labels left of it. */
export function labelsInZone(name: string, zone: string): string[] | undefined {
  if (name === zone) return [];
  if (!name.endsWith('.' + zone)) return undefined;
  return name.slice(0, -zone.length - 1).split('.');
}

/** The address a reverse name stands for, or undefined if it is not a complete one. */
export function reverseToIP(name: string): string | undefined {
  if (name.endsWith('.in-addr.arpa')) {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4) return undefined;
    const ip = parts.reverse().join('.');
    return isIP(ip) === 4 && parts.every((p) => String(Number(p)) === p) ? ip : undefined;
  }
  if (name.endsWith('.ip6.arpa')) {
    const nibbles = name.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || nibbles.some((n) => !/^[0-9a-f]$/.test(n))) return undefined;
    const hex = nibbles.reverse().join('');
    return canonicalIP(hex.match(/.{4}/g)!.join(':'));
  }
  return undefined;
}

export function soaRecord(ctx: AnswerContext): Answer {
  return {
    type: 'SOA',
    name: ctx.zone,
    ttl: ctx.ttl,
    class: 'IN',
    data: {
      mname: `ns.dns.${ctx.zone}`,
      rname: `hostmaster.${ctx.zone}`,
      serial: ctx.index.serial >>> 0,
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: ctx.ttl,
    },
  };
}

function negative(ctx: AnswerContext, rcode: 'NOERROR' | 'NXDOMAIN'): ZoneAnswer {
  return { rcode, answers: [], authorities: [soaRecord(ctx)], additionals: [] };
}

function addressRecords(ctx: AnswerContext, owner: string, ips: string[], qtype: RecordType): Answer[] {
  const want = qtype === 'A' ? 4 : 6;
  return [...new Set(ips)].filter((ip) => isIP(ip) === want).map((ip) => ({ type: qtype as 'A' | 'AAAA', name: owner, ttl: ctx.ttl, class: 'IN' as const, data: ip }));
}

/** Answers for a name in the cluster zone, or for a reverse name we hold; undefined = not ours. */
export function answerQuestion(ctx: AnswerContext, qname: string, qtype: RecordType): ZoneAnswer | undefined {
  const name = qname.toLowerCase().replace(/\.$/, '');
  const rel = labelsInZone(name, ctx.zone);
  if (!rel) {
    const ip = reverseToIP(name);
    if (!ip) return undefined;
    const names = ctx.index.ptr(ip);
    // Reverse names we do not hold fall through to the upstreams (CoreDNS's default Corefile).
    if (!names.length) return undefined;
    if (qtype !== 'PTR') return { rcode: 'NOERROR', answers: [], authorities: [], additionals: [] };
    return { rcode: 'NOERROR', answers: names.map((n) => ({ type: 'PTR', name: qname, ttl: ctx.ttl, class: 'IN', data: n })), authorities: [], additionals: [] };
  }
  const ok = (answers: Answer[], additionals: Answer[] = []): ZoneAnswer =>
    answers.length ? { rcode: 'NOERROR', answers, authorities: [], additionals } : negative(ctx, 'NOERROR');

  if (rel.length === 0) {
    if (qtype === 'SOA') return ok([soaRecord(ctx)]);
    if (qtype === 'NS') {
      const ns = `ns.dns.${ctx.zone}`;
      const glue = [...addressRecords(ctx, ns, ctx.nsAddresses(), 'A'), ...addressRecords(ctx, ns, ctx.nsAddresses(), 'AAAA')];
      return ok([{ type: 'NS', name: qname, ttl: ctx.ttl, class: 'IN', data: ns }], glue);
    }
    return negative(ctx, 'NOERROR');
  }
  if (rel.length === 1 && rel[0] === 'dns-version') {
    return qtype === 'TXT' ? ok([{ type: 'TXT', name: qname, ttl: ctx.ttl, class: 'IN', data: SCHEMA_VERSION }]) : negative(ctx, 'NOERROR');
  }
  if (rel.length === 2 && rel[0] === 'ns' && rel[1] === 'dns') {
    return qtype === 'A' || qtype === 'AAAA' ? ok(addressRecords(ctx, qname, ctx.nsAddresses(), qtype)) : negative(ctx, 'NOERROR');
  }
  const kind = rel[rel.length - 1];
  if (kind !== 'svc' && kind !== 'pod') return negative(ctx, 'NXDOMAIN');
  if (rel.length === 1) return negative(ctx, 'NOERROR');
  const ns = rel[rel.length - 2]!;
  if (!ctx.index.namespaces.has(ns)) return negative(ctx, 'NXDOMAIN');
  if (rel.length === 2) return negative(ctx, 'NOERROR');
  if (kind === 'pod') return podAnswer(ctx, qname, rel, ns, qtype);
  return serviceAnswer(ctx, qname, rel, ns, qtype);
}

function podAnswer(ctx: AnswerContext, qname: string, rel: string[], ns: string, qtype: RecordType): ZoneAnswer {
  if (ctx.podMode === 'disabled' || rel.length !== 3) return negative(ctx, 'NXDOMAIN');
  const label = rel[0]!;
  const dotted = (label.match(/-/g)?.length ?? 0) === 3 && !label.includes('--') ? label.replace(/-/g, '.') : label.replace(/-/g, ':');
  const ip = canonicalIP(dotted);
  if (!ip) return negative(ctx, 'NXDOMAIN');
  if (ctx.podMode === 'verified' && !ctx.index.podExists(ns, ip)) return negative(ctx, 'NXDOMAIN');
  if (qtype === 'A' || qtype === 'AAAA') {
    const rr = addressRecords(ctx, qname, [ip], qtype);
    return rr.length ? { rcode: 'NOERROR', answers: rr, authorities: [], additionals: [] } : negative(ctx, 'NOERROR');
  }
  return negative(ctx, 'NOERROR');
}

function stripUnderscore(s: string): string {
  return s.startsWith('_') ? s.slice(1) : s;
}

function portMatches(p: PortRef, port: string | undefined, proto: string | undefined): boolean {
  return (port === undefined || p.name === port) && (proto === undefined || p.protocol === proto);
}

function serviceAnswer(ctx: AnswerContext, qname: string, rel: string[], ns: string, qtype: RecordType): ZoneAnswer {
  const svcLabel = rel[rel.length - 3]!;
  const entry = ctx.index.service(ns, svcLabel);
  if (!entry) return negative(ctx, 'NXDOMAIN');
  const rest = rel.slice(0, -3);
  if (rest.length > 2) return negative(ctx, 'NXDOMAIN');
  const svcName = `${entry.name}.${entry.namespace}.svc.${ctx.zone}`;

  if (entry.kind === 'external') {
    if (rest.length) return negative(ctx, 'NXDOMAIN');
    const cname: Answer = { type: 'CNAME', name: qname, ttl: ctx.ttl, class: 'IN', data: entry.target };
    if (qtype === 'CNAME') return { rcode: 'NOERROR', answers: [cname], authorities: [], additionals: [] };
    return { rcode: 'NOERROR', answers: [cname], authorities: [], additionals: [], chase: entry.target };
  }

  const endpoint = rest.length === 1 ? rest[0] : undefined;
  const port = rest.length === 2 ? stripUnderscore(rest[0]!) : undefined;
  const proto = rest.length === 2 ? stripUnderscore(rest[1]!) : undefined;
  const hits: Hit[] = [];
  if (entry.kind === 'headless' || endpoint !== undefined) {
    const eps: EndpointRef[] = endpoint === undefined ? entry.endpoints : entry.endpoints.filter((e) => e.label === endpoint);
    for (const ep of eps) {
      const target = `${ep.label}.${svcName}`;
      // An endpoint without ports still has its address (CoreDNS adds a port-less sentinel).
      if (!ep.ports.length && port === undefined && proto === undefined) hits.push({ ip: ep.ip, target });
      for (const p of ep.ports) if (portMatches(p, port, proto)) hits.push({ ip: ep.ip, port: p, target });
    }
  } else {
    for (const p of entry.ports) if (portMatches(p, port, proto)) for (const ip of entry.ips) hits.push({ ip, port: p, target: svcName });
  }
  if (!hits.length) return negative(ctx, 'NXDOMAIN');

  if (qtype === 'A' || qtype === 'AAAA') {
    const rr = addressRecords(ctx, qname, hits.map((h) => h.ip), qtype);
    return rr.length ? { rcode: 'NOERROR', answers: rr, authorities: [], additionals: [] } : negative(ctx, 'NOERROR');
  }
  if (qtype === 'SRV') return srvAnswer(ctx, qname, hits);
  return negative(ctx, 'NOERROR');
}

/** One SRV per (target, port); weights split 100 evenly at priority 0, as CoreDNS. */
function srvAnswer(ctx: AnswerContext, qname: string, hits: Hit[]): ZoneAnswer {
  const seen = new Map<string, Hit>();
  const addrs = new Map<string, Set<string>>();
  for (const h of hits) {
    if (!addrs.has(h.target)) addrs.set(h.target, new Set());
    addrs.get(h.target)!.add(h.ip);
    if (!h.port) continue;
    const k = `${h.target}|${h.port.port}`;
    if (!seen.has(k)) seen.set(k, h);
  }
  if (!seen.size) return negative(ctx, 'NOERROR');
  const weight = Math.floor(100 / seen.size);
  const answers: Answer[] = [...seen.values()].map((h) => ({
    type: 'SRV',
    name: qname,
    ttl: ctx.ttl,
    class: 'IN',
    data: { priority: 0, weight, port: h.port!.port, target: h.target },
  }));
  const additionals: Answer[] = [];
  for (const [target, ips] of addrs) {
    if (![...seen.values()].some((h) => h.target === target)) continue;
    additionals.push(...addressRecords(ctx, target, [...ips], 'A'), ...addressRecords(ctx, target, [...ips], 'AAAA'));
  }
  return { rcode: 'NOERROR', answers, authorities: [], additionals };
}
