// A set of numbered slots [0, size) with Kubernetes' allocation order (pkg/registry/core/service/
// allocator, randomScanStrategyWithOffset): dynamic picks start at a random slot in the upper band
// [offset, size) and fall back to the lower band [0, offset) only when the upper band is full,
// which leaves the lower band for static requests (KEP-3070 for ClusterIPs, KEP-3668 for NodePorts).
export class Bitmap {
  private readonly bits: Uint8Array;
  private used = 0;

  constructor(
    readonly size: number,
    readonly offset: number,
    private readonly random: (n: number) => number = (n) => Math.floor(Math.random() * n),
  ) {
    this.bits = new Uint8Array(Math.ceil(size / 8));
  }

  has(i: number): boolean {
    return (this.bits[i >> 3] & (1 << (i & 7))) !== 0;
  }

  /** Marks slot i used; false if it already was (or is out of range). */
  set(i: number): boolean {
    if (i < 0 || i >= this.size || this.has(i)) return false;
    this.bits[i >> 3] |= 1 << (i & 7);
    this.used++;
    return true;
  }

  clear(i: number): void {
    if (i < 0 || i >= this.size || !this.has(i)) return;
    this.bits[i >> 3] &= ~(1 << (i & 7));
    this.used--;
  }

  count(): number {
    return this.used;
  }

  /** A free slot in Kubernetes' order, without marking it; -1 when full. */
  pickFree(): number {
    if (this.used >= this.size) return -1;
    const upper = this.size - this.offset;
    if (upper > 0) {
      const start = this.random(upper);
      for (let k = 0; k < upper; k++) {
        const at = this.offset + ((start + k) % upper);
        if (!this.has(at)) return at;
      }
    }
    if (this.offset > 0) {
      const start = this.random(this.offset);
      for (let k = 0; k < this.offset; k++) {
        const at = (start + k) % this.offset;
        if (!this.has(at)) return at;
      }
    }
    return -1;
  }
}

/**
 * Size of the band reserved for static requests: min(max(lo, size/step), hi), 0 for tiny ranges.
 * ClusterIPs use (16, 256, 16) over the CIDR size; NodePorts use (16, 128, 32) over the port count.
 */
export function staticBand(size: number, lo: number, hi: number, step: number): number {
  if (size <= lo) return 0;
  return Math.min(Math.max(lo, Math.floor(size / step)), hi);
}
