// Endpoints and EndpointSlice rows: the first three addresses (ip:port for Endpoints), then
// " + N more...", as kube-apiserver's formatEndpoints / formatDiscoveryEndpoints.
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../../object.js';
import { since } from '../duration.js';
import { ageColumn, col, nameColumn, type Printer } from '../types.js';

const MAX = 3;

/** "host:port", with IPv6 hosts bracketed (net.JoinHostPort). */
const joinHostPort = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addrs = ss.addresses ?? [];
    if (!ss.ports?.length) {
      // Headless services may publish addresses without ports.
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === MAX) {
          more = true;
          break;
        }
        list.push(a.ip);
      }
      continue;
    }
    for (const p of ss.ports) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === MAX) {
          more = true;
          break;
        }
        list.push(joinHostPort(a.ip, p.port));
      }
    }
  }
  const s = list.join(',');
  return more ? `${s} + ${count - MAX} more...` : s;
}

function listWithMore(list: string[], more: boolean, count: number): string {
  const s = list.join(',');
  if (more) return `${s} + ${count - MAX} more...`;
  return s === '' ? '<unset>' : s;
}

export const endpointsPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Endpoints', 'string', 'The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.'),
    ageColumn(),
  ],
  print(obj: KubeObject, now: Date) {
    const ep = obj as unknown as Endpoints;
    return { cells: [ep.metadata?.name ?? '', formatEndpoints(ep), since(ep.metadata?.creationTimestamp, now)] };
  },
};

export const endpointSlicePrinter: Printer = {
  columns: [
    nameColumn(),
    col('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.'),
    col('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates "all ports". Each slice may include a maximum of 100 ports.'),
    col('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.'),
    ageColumn(),
  ],
  print(obj: KubeObject, now: Date) {
    const es = obj as unknown as EndpointSlice;
    const ports: string[] = [];
    let portCount = 0;
    let portMore = false;
    for (const p of es.ports ?? []) {
      if (ports.length < MAX) ports.push(p.port !== undefined && p.port !== null ? String(p.port) : (p.name ?? '*'));
      else portMore = true;
      portCount++;
    }
    const addrs: string[] = [];
    let addrCount = 0;
    let addrMore = false;
    for (const e of es.endpoints ?? []) {
      for (const a of e.addresses ?? []) {
        if (addrs.length < MAX) addrs.push(a);
        else addrMore = true;
        addrCount++;
      }
    }
    return {
      cells: [es.metadata?.name ?? '', es.addressType ?? '', listWithMore(ports, portMore, portCount), listWithMore(addrs, addrMore, addrCount), since(es.metadata?.creationTimestamp, now)],
    };
  },
};
