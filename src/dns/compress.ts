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

const HEADER = 12;
/** Pointers hold 14 bits: names written past this offset cannot be pointed at. */
const MAX_POINTER = 0x3fff;

const T = { NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, SRV: 33 } as const;

class Malformed extends Error {}

export function compressMessage(msg: Buffer): Buffer {
  if (msg.length < HEADER) return msg;
  try {
    return compress(msg);
  } catch (e) {
    if (e instanceof Malformed) return msg;
    throw e;
  }
}

function compress(msg: Buffer): Buffer {
  // Never larger than the input: every name is written at most as long as it was.
  const out = Buffer.allocUnsafe(msg.length);
  msg.copy(out, 0, 0, HEADER);
  const seen = new Map<string, number>();
  let r = HEADER;
  let w = HEADER;

  /** Reads the name at r (uncompressed form only) and writes it at w, compressed if `compressible`. */
  const name = (compressible: boolean): void => {
    const starts: number[] = [];
    let p = r;
    for (;;) {
      if (p >= msg.length) throw new Malformed();
      const len = msg[p]!;
      if (len === 0) break;
      if (len > 63) throw new Malformed(); // a pointer or an extended label: not dns-packet's output
      starts.push(p);
      p += 1 + len;
    }
    const end = p; // the terminating zero
    for (let i = 0; i < starts.length; i++) {
      const key = msg.toString('latin1', starts[i], end);
      const at = compressible ? seen.get(key) : undefined;
      if (at !== undefined) {
        out.writeUInt16BE(0xc000 | at, w);
        w += 2;
        r = end + 1;
        return;
      }
      if (w <= MAX_POINTER && !seen.has(key)) seen.set(key, w);
      const len = msg[starts[i]!]!;
      msg.copy(out, w, starts[i], starts[i]! + 1 + len);
      w += 1 + len;
    }
    out[w++] = 0;
    r = end + 1;
  };
  const copy = (n: number): void => {
    if (r + n > msg.length) throw new Malformed();
    msg.copy(out, w, r, r + n);
    r += n;
    w += n;
  };

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
