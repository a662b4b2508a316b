// Building an Endpoints object's subsets the way pkg/controller/endpoint does: one (address, ports)
// entry per pod, then repacked (pkg/api/v1/endpoints.RepackSubsets) so ports served by the same
// set of addresses share a subset, then truncated to 1000 addresses (ready ones kept first).
import type { EndpointAddress, EndpointPort, EndpointSubset } from 'kubernetes-types/core/v1.js';

/** Endpoints beyond this many addresses are truncated and annotated (maxCapacity). */
export const MAX_ENDPOINTS_CAPACITY = 1000;
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';

export interface PodEntry {
  address: EndpointAddress;
  ready: boolean;
  /** [] for a headless Service without ports. */
  ports: EndpointPort[];
}

function addrKey(a: EndpointAddress): string {
  return `${a.ip}\0${a.targetRef?.uid ?? ''}`;
}

function portKey(p: EndpointPort): string {
  return JSON.stringify([p.name ?? '', p.port, p.protocol ?? 'TCP', p.appProtocol ?? '']);
}

function byIPThenUID(a: EndpointAddress, b: EndpointAddress): number {
  return a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? '');
}

function byPort(a: EndpointPort, b: EndpointPort): number {
  return (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port || (a.protocol ?? '').localeCompare(b.protocol ?? '');
}

/** RepackSubsets: ports grouped by the exact set of (address, readiness) that serve them. */
export function repackSubsets(entries: PodEntry[]): EndpointSubset[] {
  const addrs = new Map<string, EndpointAddress>();
  const byPortKey = new Map<string, { port: EndpointPort; members: Map<string, boolean> }>();
  const portless = new Map<string, boolean>();
  for (const e of entries) {
    const ak = addrKey(e.address);
    addrs.set(ak, e.address);
    if (e.ports.length === 0) {
      portless.set(ak, e.ready || (portless.get(ak) ?? false));
      continue;
    }
    for (const p of e.ports) {
      const pk = portKey(p);
      let g = byPortKey.get(pk);
      if (!g) byPortKey.set(pk, (g = { port: p, members: new Map() }));
      // An address listed both ready and not ready for a port counts as ready (as upstream).
      g.members.set(ak, e.ready || (g.members.get(ak) ?? false));
    }
  }
  const groups = new Map<string, { ports: EndpointPort[]; members: Map<string, boolean> }>();
  for (const { port, members } of byPortKey.values()) {
    const sig = [...members.entries()].map(([k, r]) => `${k}\0${r}`).sort().join('\n');
    let g = groups.get(sig);
    if (!g) groups.set(sig, (g = { ports: [], members }));
    g.ports.push(port);
  }
  const toSubset = (members: Map<string, boolean>, ports: EndpointPort[]): EndpointSubset => {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [k, r] of members) (r ? ready : notReady).push(addrs.get(k) as EndpointAddress);
    const s: EndpointSubset = {};
    if (ready.length) s.addresses = ready.sort(byIPThenUID);
    if (notReady.length) s.notReadyAddresses = notReady.sort(byIPThenUID);
    if (ports.length) s.ports = [...ports].sort(byPort);
    return s;
  };
  const subsets: EndpointSubset[] = [];
  if (portless.size) subsets.push(toSubset(portless, []));
  for (const g of groups.values()) subsets.push(toSubset(g.members, g.ports));
  const first = (s: EndpointSubset) => (s.ports?.[0] ? portKey(s.ports[0]) : '') + '\0' + (s.addresses?.[0]?.ip ?? s.notReadyAddresses?.[0]?.ip ?? '');
  return subsets.sort((a, b) => first(a).localeCompare(first(b)));
}

/**
 * truncateEndpoints: past maxCapacity addresses, keep ready addresses first and share what is
 * left across subsets in proportion to their size. Returns whether anything was cut.
 */
export function truncateSubsets(subsets: EndpointSubset[], max = MAX_ENDPOINTS_CAPACITY): boolean {
  let totalReady = 0;
  let totalNotReady = 0;
  for (const s of subsets) {
    totalReady += s.addresses?.length ?? 0;
    totalNotReady += s.notReadyAddresses?.length ?? 0;
  }
  if (totalReady + totalNotReady <= max) return false;
  const truncateReady = totalReady > max;
  const room = truncateReady ? max : max - totalReady;
  const total = truncateReady ? totalReady : totalNotReady;
  let canAdd = room;
  for (const s of subsets) {
    const n = truncateReady ? (s.addresses?.length ?? 0) : (s.notReadyAddresses?.length ?? 0);
    const allowed = Math.min(Math.ceil((n / total) * room), canAdd);
    canAdd -= allowed;
    if (truncateReady) {
      delete s.notReadyAddresses;
      s.addresses = (s.addresses ?? []).slice(0, allowed);
    } else if (s.notReadyAddresses) {
      s.notReadyAddresses = s.notReadyAddresses.slice(0, allowed);
    }
  }
  return true;
}
