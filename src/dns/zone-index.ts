// The answer index: what the informer handlers keep up to date, one Service at a time, so a query
// is a couple of map lookups and a change costs work proportional to that one Service (not to the
// cluster). Everything is keyed in lower case because DNS matching is case-insensitive.
import { isIP } from 'node:net';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

export interface PortRef {
  name: string;
  protocol: string;
  port: number;
}

export interface EndpointRef {
  ip: string;
  /** The DNS label of this endpoint: its hostname, else the address with dashes (CoreDNS). */
  label: string;
  ports: PortRef[];
}

export type ServiceEntry =
  | { kind: 'cluster'; namespace: string; name: string; ips: string[]; ports: PortRef[]; endpoints: EndpointRef[] }
  | { kind: 'headless'; namespace: string; name: string; ports: PortRef[]; endpoints: EndpointRef[] }
  | { kind: 'external'; namespace: string; name: string; target: string };

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** CoreDNS's endpoint label: hostname if set, otherwise the IP with dots (or colons) as dashes. */
export function endpointLabel(ip: string, hostname: string | undefined): string {
  if (hostname) return hostname.toLowerCase();
  return ip.includes('.') ? ip.replace(/\./g, '-') : ip.replace(/:/g, '-');
}

export class ZoneIndex {
  readonly namespaces = new Set<string>();
  private readonly services = new Map<string, Service>();
  private readonly slices = new Map<string, Map<string, EndpointSlice>>();
  private readonly entries = new Map<string, ServiceEntry>();
  /**
   * address → the key(s) of the Services whose records point back at it (PTR). A plain string in
   * the usual case of one, so 10,000 ClusterIPs cost one map entry each; the names are derived
   * from the entries when asked.
   */
  private readonly reverse = new Map<string, string | string[]>();
  /** pod address → namespace → count of pods (verified pod records). */
  private readonly podIPs = new Map<string, Map<string, number>>();
  private readonly podAddrs = new Map<string, { ns: string; ips: string[] }>();
  /** Bumped on every change (answer caches compare it). */
  generation = 0;
  /** Unix seconds of the last change: the SOA serial, as CoreDNS. */
  serial = Math.floor(Date.now() / 1000);

  constructor(private readonly zone: string) {}

  service(namespace: string, name: string): ServiceEntry | undefined {
    return this.entries.get(`${namespace}/${name}`);
  }

  ptr(ip: string): string[] {
    const keys = this.reverse.get(ip);
    if (keys === undefined) return [];
    const out: string[] = [];
    for (const key of typeof keys === 'string' ? [keys] : keys) {
      const e = this.entries.get(key);
      if (!e || e.kind === 'external') continue;
      const svcName = `${e.name}.${e.namespace}.svc.${this.zone}`;
      if (e.kind === 'cluster') out.push(svcName);
      else for (const ep of e.endpoints) if (ep.ip === ip) out.push(`${ep.label}.${svcName}`);
    }
    return [...new Set(out)];
  }

  podExists(namespace: string, ip: string): boolean {
    return (this.podIPs.get(ip)?.get(namespace) ?? 0) > 0;
  }

  get serviceCount(): number {
    return this.entries.size;
  }

  setNamespace(name: string, present: boolean): void {
    if (present) this.namespaces.add(name.toLowerCase());
    else this.namespaces.delete(name.toLowerCase());
    this.touch();
  }

  setService(svc: Service, present: boolean): void {
    const key = keyOf(svc.metadata?.namespace, svc.metadata?.name);
    if (present) this.services.set(key, svc);
    else this.services.delete(key);
    this.rebuild(key);
  }

  setSlice(slice: EndpointSlice, present: boolean): void {
    const svcName = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!svcName) return;
    const key = keyOf(slice.metadata?.namespace, svcName);
    let m = this.slices.get(key);
    const sliceName = slice.metadata?.name ?? '';
    if (present) {
      if (!m) this.slices.set(key, (m = new Map()));
      m.set(sliceName, slice);
    } else if (m) {
      m.delete(sliceName);
      if (!m.size) this.slices.delete(key);
    }
    this.rebuild(key);
  }

  setPod(pod: Pod, present: boolean): void {
    this.generation++;
    const key = keyOf(pod.metadata?.namespace, pod.metadata?.name);
    const old = this.podAddrs.get(key);
    if (old) for (const ip of old.ips) this.countPod(ip, old.ns, -1);
    this.podAddrs.delete(key);
    if (!present) return;
    const ips = new Set<string>();
    if (pod.status?.podIP) ips.add(pod.status.podIP);
    for (const p of pod.status?.podIPs ?? []) if (p.ip) ips.add(p.ip);
    // Pods on the host's network carry the node's address, which is not theirs to answer for.
    if (pod.spec?.hostNetwork || !ips.size) return;
    const ns = (pod.metadata?.namespace ?? '').toLowerCase();
    const list = [...ips].map(canonicalIP).filter((x): x is string => !!x);
    this.podAddrs.set(key, { ns, ips: list });
    for (const ip of list) this.countPod(ip, ns, 1);
  }

  private countPod(ip: string, ns: string, d: number): void {
    let m = this.podIPs.get(ip);
    if (!m) this.podIPs.set(ip, (m = new Map()));
    const n = (m.get(ns) ?? 0) + d;
    if (n > 0) m.set(ns, n);
    else m.delete(ns);
    if (!m.size) this.podIPs.delete(ip);
  }

  private touch(): void {
    this.generation++;
    this.serial = Math.max(this.serial, Math.floor(Date.now() / 1000));
  }

  /** Recomputes one Service's entry and its reverse records from its object and slices. */
  private rebuild(key: string): void {
    this.touch();
    const before = this.entries.get(key);
    const svc = this.services.get(key);
    const entry = svc ? buildEntry(svc, [...(this.slices.get(key)?.values() ?? [])]) : undefined;
    if (entry) this.entries.set(key, entry);
    else this.entries.delete(key);
    for (const ip of reverseIPs(before)) this.unlinkReverse(ip, key);
    for (const ip of reverseIPs(entry)) this.linkReverse(ip, key);
  }

  private linkReverse(ip: string, key: string): void {
    const cur = this.reverse.get(ip);
    if (cur === undefined) this.reverse.set(ip, key);
    else if (typeof cur === 'string') {
      if (cur !== key) this.reverse.set(ip, [cur, key]);
    } else if (!cur.includes(key)) cur.push(key);
  }

  private unlinkReverse(ip: string, key: string): void {
    const cur = this.reverse.get(ip);
    if (cur === undefined) return;
    if (typeof cur === 'string') {
      if (cur === key) this.reverse.delete(ip);
      return;
    }
    const rest = cur.filter((k) => k !== key);
    if (rest.length === 0) this.reverse.delete(ip);
    else this.reverse.set(ip, rest.length === 1 ? rest[0]! : rest);
  }
}

/** The addresses whose PTR records name this entry (distinct). */
function reverseIPs(e: ServiceEntry | undefined): string[] {
  if (!e || e.kind === 'external') return [];
  if (e.kind === 'cluster') return e.ips;
  return [...new Set(e.endpoints.map((ep) => ep.ip))];
}

/** Shared by every entry without endpoints (never mutated). */
const NO_ENDPOINTS: EndpointRef[] = [];
/** Identical port lists (most Services expose the same few) are one shared array (never mutated). */
const portLists = new Map<string, PortRef[]>();

function internPorts(ports: PortRef[]): PortRef[] {
  const k = ports.map((p) => `${p.name}/${p.protocol}/${p.port}`).join(',');
  const hit = portLists.get(k);
  if (hit) return hit;
  // Bounded: an unusual cluster with many distinct port lists just stops sharing new ones.
  if (portLists.size < 10_000) portLists.set(k, ports);
  return ports;
}

function keyOf(ns: string | undefined, name: string | undefined): string {
  return `${(ns ?? '').toLowerCase()}/${(name ?? '').toLowerCase()}`;
}

/** The textual form answers and the reverse index use (IPv6 fully compressed, lower case). */
export function canonicalIP(ip: string): string | undefined {
  const v = isIP(ip);
  if (v === 4) return ip;
  if (v !== 6) return undefined;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
}

function buildEntry(svc: Service, slices: EndpointSlice[]): ServiceEntry | undefined {
  const namespace = (svc.metadata?.namespace ?? '').toLowerCase();
  const name = (svc.metadata?.name ?? '').toLowerCase();
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') {
    const target = (spec.externalName ?? '').replace(/\.$/, '').toLowerCase();
    // CoreDNS answers only when the external name is a host name (an IP there would not be a CNAME).
    if (!target || isIP(target)) return undefined;
    return { kind: 'external', namespace, name, target };
  }
  const ports = internPorts((spec.ports ?? []).map((p) => ({ name: (p.name ?? '').toLowerCase(), protocol: (p.protocol ?? 'TCP').toLowerCase(), port: p.port })));
  const endpoints = slices.length ? collectEndpoints(slices, spec.publishNotReadyAddresses === true) : NO_ENDPOINTS;
  const ips = (spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : []).filter((ip) => ip !== 'None' && ip !== '');
  if (!ips.length) return { kind: 'headless', namespace, name, ports, endpoints };
  return { kind: 'cluster', namespace, name, ips: ips.map(canonicalIP).filter((x): x is string => !!x), ports, endpoints };
}

/**
 * Ready endpoints (a missing `ready` counts as ready, as the EndpointSlice API says), or all of
 * them when the Service publishes not-ready addresses; one entry per address and label across
 * slices (slices of both families, or a slice split, can repeat an endpoint).
 */
function collectEndpoints(slices: EndpointSlice[], publishNotReady: boolean): EndpointRef[] {
  const out = new Map<string, EndpointRef>();
  for (const s of slices) {
    if (s.addressType === 'FQDN') continue;
    const ports: PortRef[] = (s.ports ?? [])
      .filter((p) => typeof p.port === 'number')
      .map((p) => ({ name: (p.name ?? '').toLowerCase(), protocol: (p.protocol ?? 'TCP').toLowerCase(), port: p.port as number }));
    for (const ep of s.endpoints ?? []) {
      const ready = ep.conditions?.ready !== false;
      if (!ready && !publishNotReady) continue;
      for (const raw of ep.addresses ?? []) {
        const ip = canonicalIP(raw);
        if (!ip) continue;
        const label = endpointLabel(ip, ep.hostname);
        const k = `${ip}|${label}`;
        const prev = out.get(k);
        if (prev) prev.ports.push(...ports.filter((p) => !prev.ports.some((q) => q.name === p.name && q.protocol === p.protocol && q.port === p.port)));
        else out.set(k, { ip, label, ports: [...ports] });
      }
    }
  }
  return [...out.values()];
}
