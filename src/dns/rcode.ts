// Response codes by name, and the four header bits they occupy (dns-packet keeps them in `flags`).
import type { Rcode } from './answer.js';

const CODES: Record<Rcode, number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };
const NAMES = new Map<number, Rcode>(Object.entries(CODES).map(([k, v]) => [v, k as Rcode]));

export function rcodeValue(r: Rcode): number {
  return CODES[r];
}

/** The rcode in a header's flags; codes we do not name are reported as SERVFAIL. */
export function rcodeName(flags: number): Rcode {
  return NAMES.get(flags & 0xf) ?? 'SERVFAIL';
}
