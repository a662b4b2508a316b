// Keys are ordered by their UTF-8 bytes, like etcd and SQLite's BINARY collation. JavaScript's `<`
// compares UTF-16 code units, which agrees with byte order except when a surrogate pair (a code
// point above U+FFFF) meets a code unit in U+E000..U+FFFF; compareKeys handles that case so every
// backend returns the same order.

export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (D800..DFFF) encode code points above FFFF, which sort after E000..FFFF in UTF-8.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys && (xs ? y >= 0xe000 : x >= 0xe000)) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * The smallest key greater than every key that starts with `prefix` (an exclusive upper bound for
 * range scans), or null when there is none (empty prefix: the whole key space).
 */
export function prefixEnd(prefix: string): string | null {
  const cps = Array.from(prefix, (c) => c.codePointAt(0) as number);
  while (cps.length > 0) {
    const last = cps.pop() as number;
    if (last < 0x10ffff) {
      // Skip the surrogate range: those are not code points of their own.
      cps.push(last + 1 === 0xd800 ? 0xe000 : last + 1);
      return String.fromCodePoint(...cps);
    }
  }
  return null;
}
