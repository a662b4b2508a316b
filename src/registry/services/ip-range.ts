// The Service ClusterIP range: which addresses of the --service-cidr may be handed out and how an
// address maps to a bitmap slot. As Kubernetes' bitmap ipallocator: the network address and (for
// IPv4) the broadcast address are never used; slot 0 is the first address after the network.
import { ipv4ToNumber, numberToIPv4, parseCIDR } from '../../api/validation/service-net.js';
import { staticBand } from './bitmap.js';

export interface IPRange {
  cidr: string;
  /** Number of usable addresses (bitmap slots). */
  size: number;
  /** Size of the static (lower) band. */
  offset: number;
  indexOf(ip: string): number;
  ipAt(index: number): string;
}

export function parseServiceCIDR(cidr: string): IPRange {
  const p = parseCIDR(cidr);
  if (!p || p.family !== 'IPv4') throw new Error(`service CIDR ${JSON.stringify(cidr)} is not an IPv4 CIDR (only single-stack IPv4 is supported)`);
  if (p.prefix > 30) throw new Error(`service CIDR ${cidr} is too small`);
  const total = 2 ** (32 - p.prefix);
  const network = Math.floor((ipv4ToNumber(p.ip) ?? 0) / total) * total;
  const base = network + 1;
  const size = total - 2;
  const canonical = `${numberToIPv4(network)}/${p.prefix}`;
  return {
    cidr: canonical,
    size,
    offset: staticBand(total, 16, 256, 16),
    indexOf(ip: string): number {
      const n = ipv4ToNumber(ip);
      if (n === null) return -1;
      const i = n - base;
      return i >= 0 && i < size ? i : -1;
    },
    ipAt(index: number): string {
      return numberToIPv4(base + index);
    },
  };
}
