// Name compression (RFC 1035 §4.1.4) as a post-pass over dns-packet's output, which never
// compresses. CoreDNS (miekg/dns) compresses every reply; without it a headless Service's
// answer is about twice as large and truncates over UDP much sooner.
//
// The pass walks the uncompressed message and rewrites each name as the longest suffix already
// written (a 2-byte pointer) plus the labels before it. Names are compressed where RFC 1035
// allows it: owner names, and the names inside NS, CNAME, SOA, PTR and MX data. Other data (SRV's
// target, which RFC 2782 says must not be compressed; unknown types) is copied as is, but the
// names in SRV data may still be pointed at from later (the A records of the targets that follow
// in the additional section). Matching is case-sensitive, so every name keeps its exact bytes.
// Anything unexpected (a pointer already there, a length past the end) returns the input unchanged.
//
// It runs on every answer-cache miss, so it allocates nearly nothing: suffixes are found through a
// hash of their bytes and checked byte for byte against the input (where every name is still
// written in full), with the scratch state kept at module level (the pass is synchronous).

const HEADER = 12;
/** Pointers hold 14 bits: names written past this offset cannot be pointed at. */
const MAX_POINTER = 0x3fff;

const T = { NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, SRV: 33 } as const;

class Malformed extends Error {}

/** Scratch for one name's label offsets and suffix hashes (a name has at most 127 labels). */
const starts = new Int32Array(128);
const hashes = new Uint32Array(128);
/** Suffix hash → first entry; entries are (output offset, input offset, length, next entry or -1). */
const heads = new Map<number, number>();
const ent: number[] = [];
let msg: Buffer = Buffer.alloc(0);
let out: Buffer = Buffer.alloc(0);
let r = 0;
let w = 0;

export function compressMessage(input: Buffer): Buffer {
  if (input.length < HEADER) return input;
  msg = input;
  // Never larger than the input: every name is written at most as long as it was.
  out = Buffer.allocUnsafe(input.length);
  heads.clear();
  ent.length = 0;
  try {
    return compress();
  } catch (e) {
    if (e instanceof Malformed) return input;
    throw e;
  } finally {
    msg = out = EMPTY;
  }
}

const EMPTY = Buffer.alloc(0);

function same(a: number, b: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (msg[a + i] !== msg[b + i]) return false;
  return true;
}

/** Reads the name at r (uncompressed form only) and writes it at w, compressed if `compressible`. */
function name(compressible: boolean): void {
  let k = 0;
  let p = r;
  for (;;) {
    if (p >= msg.length) throw new Malformed();
    const len = msg[p]!;
    if (len === 0) break;
    if (len > 63 || k === 127) throw new Malformed(); // a pointer or an extended label: not dns-packet's output
    starts[k++] = p;
    p += 1 + len;
  }
  const end = p; // the terminating zero
  let h = 0x811c9dc5;
  for (let i = k - 1; i >= 0; i--) {
    for (let q = starts[i]!, stop = i + 1 < k ? starts[i + 1]! : end; q < stop; q++) h = Math.imul(h ^ msg[q]!, 0x01000193);
    hashes[i] = h >>> 0;
  }
  for (let i = 0; i < k; i++) {
    const from = starts[i]!;
    const len = end + 1 - from;
    let found = -1;
    for (let e = heads.get(hashes[i]!) ?? -1; e >= 0; e = ent[e + 3]!) {
      if (ent[e + 2] === len && same(ent[e + 1]!, from, len)) {
        found = e;
        break;
      }
    }
    if (compressible && found >= 0) {
      out.writeUInt16BE(0xc000 | ent[found]!, w);
      w += 2;
      r = end + 1;
      return;
    }
    if (w <= MAX_POINTER && found < 0) {
      ent.push(w, from, len, heads.get(hashes[i]!) ?? -1);
      heads.set(hashes[i]!, ent.length - 4);
    }
    const l = msg[from]!;
    msg.copy(out, w, from, from + 1 + l);
    w += 1 + l;
  }
  out[w++] = 0;
  r = end + 1;
}

function copy(n: number): void {
  if (r + n > msg.length) throw new Malformed();
  msg.copy(out, w, r, r + n);
  r += n;
  w += n;
}

function compress(): Buffer {
  msg.copy(out, 0, 0, HEADER);
  r = HEADER;
  w = HEADER;
  const qd = msg.readUInt16BE(4);
  const rrs = msg.readUInt16BE(6) + msg.readUInt16BE(8) + msg.readUInt16BE(10);
  for (let i = 0; i < qd; i++) {
    name(true);
    copy(4);
  }
  for (let i = 0; i < rrs; i++) {
    name(true);
    if (r + 10 > msg.length) throw new Malformed();
    const type = msg.readUInt16BE(r);
    const rdlength = msg.readUInt16BE(r + 8);
    copy(8);
    const lengthAt = w;
    copy(2);
    const dataEnd = r + rdlength;
    if (dataEnd > msg.length) throw new Malformed();
    const dataStart = w;
    switch (type) {
      case T.NS:
      case T.CNAME:
      case T.PTR:
        name(true);
        break;
      case T.SOA:
        name(true);
        name(true);
        copy(20);
        break;
      case T.MX:
        copy(2);
        name(true);
        break;
      case T.SRV:
        copy(6);
        name(false);
        break;
      default:
        copy(rdlength);
    }
    if (r !== dataEnd) throw new Malformed();
    out.writeUInt16BE(w - dataStart, lengthAt);
  }
  if (r !== msg.length) throw new Malformed();
  return out.subarray(0, w);
}
