// The address pool LoadBalancer Services draw their ingress IPs from. The pool itself holds no
// durable state: which address a Service has is written in its status, so the pool is rebuilt from
// the Services it sees (the controller marks every address already in a status before allocating).

export interface LbPool {
  /** The pool as given, for messages. */
  readonly cidrs: readonly string[];
  contains(ip: string): boolean;
  /** Marks `ip` as held by `owner`; false when someone else holds it or it is outside the pool. */
  claim(ip: string, owner: string): boolean;
  /** The lowest free address, claimed for `owner`; undefined when the pool is exhausted. */
  allocate(owner: string): string | undefined;
  /** Frees every address `owner` holds. */
  release(owner: string): void;
  /** Addresses `owner` holds. */
  heldBy(owner: string): string[];
  /** Who holds `ip`, if anyone. */
  holder(ip: string): string | undefined;
}

interface Range {
  first: number;
  last: number;
}

function parseIPv4(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/** `10.250.0.0/24` → the usable addresses (network and broadcast left out below /31, as a router would). */
function parseRange(cidr: string): Range {
  const [base, bitsText] = cidr.split('/');
  const ip = parseIPv4(base ?? '');
  const bits = Number(bitsText);
  if (ip === undefined || !/^\d{1,2}$/.test(bitsText ?? '') || bits > 32) {
    throw new Error(`load balancer CIDR ${JSON.stringify(cidr)} is not an IPv4 CIDR such as 10.250.0.0/24`);
  }
  const size = 2 ** (32 - bits);
  const network = ip - (ip % size);
  if (network !== ip) throw new Error(`load balancer CIDR ${JSON.stringify(cidr)} has host bits set (did you mean ${formatIPv4(network)}/${bits}?)`);
  if (size <= 2) return { first: network, last: network + size - 1 };
  return { first: network + 1, last: network + size - 2 };
}

export function createLbPool(cidrs: readonly string[]): LbPool {
  if (cidrs.length === 0) throw new Error('the load balancer pool needs at least one CIDR');
  const ranges = cidrs.map(parseRange);
  const holders = new Map<number, string>();
  const byOwner = new Map<string, Set<number>>();

  const inPool = (n: number) => ranges.some((r) => n >= r.first && n <= r.last);
  const hold = (n: number, owner: string) => {
    holders.set(n, owner);
    let set = byOwner.get(owner);
    if (!set) byOwner.set(owner, (set = new Set()));
    set.add(n);
  };

  return {
    cidrs: [...cidrs],
    contains(ip) {
      const n = parseIPv4(ip);
      return n !== undefined && inPool(n);
    },
    claim(ip, owner) {
      const n = parseIPv4(ip);
      if (n === undefined || !inPool(n)) return false;
      const current = holders.get(n);
      if (current !== undefined && current !== owner) return false;
      hold(n, owner);
      return true;
    },
    allocate(owner) {
      for (const r of ranges) {
        for (let n = r.first; n <= r.last; n++) {
          if (!holders.has(n)) {
            hold(n, owner);
            return formatIPv4(n);
          }
        }
      }
      return undefined;
    },
    release(owner) {
      for (const n of byOwner.get(owner) ?? []) holders.delete(n);
      byOwner.delete(owner);
    },
    heldBy(owner) {
      return [...(byOwner.get(owner) ?? [])].sort((a, b) => a - b).map(formatIPv4);
    },
    holder(ip) {
      const n = parseIPv4(ip);
      return n === undefined ? undefined : holders.get(n);
    },
  };
}
