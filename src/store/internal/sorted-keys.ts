// A sorted set of keys (byte order) with binary search, used as the ordered index of the in-memory
// backends. An array keeps range scans cache-friendly; inserts are O(n) memmoves, which stays cheap
// for the tens of thousands of keys a single-node cluster holds.

import { compareKeys, prefixEnd } from './key-order.js';

export class SortedKeys {
  private readonly keys: string[] = [];

  get size(): number {
    return this.keys.length;
  }

  /** Index of the first key >= `key`. */
  lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.keys[mid] as string, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first key > `key`. */
  upperBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.keys[mid] as string, key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  has(key: string): boolean {
    const i = this.lowerBound(key);
    return i < this.keys.length && this.keys[i] === key;
  }

  add(key: string): void {
    const i = this.lowerBound(key);
    if (this.keys[i] !== key) this.keys.splice(i, 0, key);
  }

  delete(key: string): void {
    const i = this.lowerBound(key);
    if (this.keys[i] === key) this.keys.splice(i, 1);
  }

  at(i: number): string {
    return this.keys[i] as string;
  }

  /** [start, end) indexes of the keys under `prefix` that are strictly after `startAfter`. */
  prefixSpan(prefix: string, startAfter?: string): [number, number] {
    let start = this.lowerBound(prefix);
    if (startAfter !== undefined && compareKeys(startAfter, prefix) >= 0) {
      start = Math.max(start, this.upperBound(startAfter));
    }
    const end = prefixEnd(prefix);
    const stop = end === null ? this.keys.length : this.lowerBound(end);
    return [start, Math.max(start, stop)];
  }
}
