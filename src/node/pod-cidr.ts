// Picks this node's pod CIDR: a /24 out of the cluster CIDR (10.244.0.0/16) that no other Node
// holds, as kube-controller-manager's node IPAM would. The agent does it itself because there is
// no node-ipam controller here.
import { isIPv4 } from 'node:net';

export function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function intToIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export interface Cidr {
  base: number;
  bits: number;
}

export function parseCidr(cidr: string): Cidr {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(cidr);
  if (!m || !isIPv4(m[1]) || Number(m[2]) > 32) throw new Error(`invalid IPv4 CIDR "${cidr}"`);
  const bits = Number(m[2]);
  const size = 2 ** (32 - bits);
  return { base: ipv4ToInt(m[1]) - (ipv4ToInt(m[1]) % size), bits };
}

export function formatCidr(c: Cidr): string {
  return `${intToIPv4(c.base)}/${c.bits}`;
}

/** The first /`maskBits` inside `clusterCIDR` not in `taken`; throws when all are used. */
export function pickPodCIDR(clusterCIDR: string, taken: readonly string[], maskBits = 24): string {
  const cluster = parseCidr(clusterCIDR);
  if (maskBits < cluster.bits) throw new Error(`node mask /${maskBits} is larger than the cluster CIDR ${clusterCIDR}`);
  const used = new Set(taken.map((t) => t.trim()));
  const step = 2 ** (32 - maskBits);
  const count = 2 ** (maskBits - cluster.bits);
  for (let i = 0; i < count; i++) {
    const c = formatCidr({ base: cluster.base + i * step, bits: maskBits });
    if (!used.has(c)) return c;
  }
  throw new Error(`no free /${maskBits} left in the cluster CIDR ${clusterCIDR}`);
}
