// EndpointSlices → endpoints per Service port. A Service's endpoints may be spread over several
// slices; a slice port matches the Service port of the same name and protocol (kube-proxy's
// EndpointSliceCache). Only IPv4 slices are used.
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { EndpointInfo } from './model.js';
import { isIPv4, servicePortId } from './service-info.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** "namespace/name" of the Service a slice belongs to, or undefined for an unowned slice. */
export function sliceServiceKey(slice: EndpointSlice): string | undefined {
  const svc = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
  if (!svc) return undefined;
  return `${slice.metadata?.namespace ?? 'default'}/${svc}`;
}

/** Endpoints keyed by service port id ("ns/name:portName" + "/" + protocol). */
export function endpointsByPort(namespace: string, name: string, slices: Iterable<EndpointSlice>): Map<string, EndpointInfo[]> {
  const out = new Map<string, Map<string, EndpointInfo>>();
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') continue;
    for (const p of slice.ports ?? []) {
      if (p.port === undefined || p.port === null) continue;
      const key = portKey(servicePortId(namespace, name, p.name ?? ''), p.protocol ?? 'TCP');
      let byAddr = out.get(key);
      if (!byAddr) out.set(key, (byAddr = new Map()));
      for (const ep of slice.endpoints ?? []) {
        const ip = ep.addresses?.[0];
        if (!isIPv4(ip)) continue;
        // Conditions as the EndpointSlice API defines their absence: ready/serving unknown = ready.
        const ready = ep.conditions?.ready ?? true;
        const info: EndpointInfo = {
          ip,
          port: p.port,
          ready,
          serving: ep.conditions?.serving ?? ready,
          terminating: ep.conditions?.terminating ?? false,
          nodeName: ep.nodeName,
        };
        const addr = `${ip}:${p.port}`;
        // The same endpoint in two slices (during a controller's rewrite): prefer the ready copy.
        const prev = byAddr.get(addr);
        if (!prev || (!prev.ready && info.ready)) byAddr.set(addr, info);
      }
    }
  }
  const result = new Map<string, EndpointInfo[]>();
  for (const [k, m] of out) result.set(k, [...m.values()].sort(compareEndpoints));
  return result;
}

export function portKey(servicePortId: string, protocol: string): string {
  return `${servicePortId}/${protocol}`;
}

function compareEndpoints(a: EndpointInfo, b: EndpointInfo): number {
  return ipNumber(a.ip) - ipNumber(b.ip) || a.port - b.port;
}

export function ipNumber(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}
