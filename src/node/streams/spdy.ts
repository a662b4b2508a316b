// The server half of SPDY/3.1 that `kubectl port-forward` needs (client-go speaks it through
// moby/spdystream, tunnelled in a WebSocket or over a raw upgraded connection): the client opens
// streams with SYN_STREAM (zlib-compressed name/value headers, one zlib context per direction for
// the whole session), we accept each with a SYN_REPLY, and DATA frames (FIN = half-close) carry the
// bytes. PING is echoed; RST_STREAM and GOAWAY end streams. Flow control (WINDOW_UPDATE, SETTINGS)
// is ignored, as spdystream itself does.
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from './spdy-dictionary.js';

const VERSION = 3;
export const SYN_STREAM = 1;
export const SYN_REPLY = 2;
export const RST_STREAM = 3;
export const PING = 6;
export const GOAWAY = 7;
const FLAG_FIN = 0x01;
const MAX_CHUNK = 64 * 1024;

export function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | VERSION, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(((flags & 0xff) << 24) | payload.length, 4);
  return Buffer.concat([h, payload]);
}

export function dataFrame(streamId: number, data: Buffer, fin: boolean): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(streamId & 0x7fffffff, 0);
  h.writeUInt32BE(((fin ? FLAG_FIN : 0) << 24) | data.length, 4);
  return Buffer.concat([h, data]);
}

/** The uncompressed name/value block: count, then length-prefixed names and values (lower-case names). */
export function encodeHeaders(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const entries = Object.entries(headers);
  parts.push(u32(entries.length));
  for (const [k, v] of entries) {
    const name = Buffer.from(k.toLowerCase());
    const value = Buffer.from(v);
    parts.push(u32(name.length), name, u32(value.length), value);
  }
  return Buffer.concat(parts);
}

export function decodeHeaders(block: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let off = 4;
  const n = block.readUInt32BE(0);
  for (let i = 0; i < n; i++) {
    const nl = block.readUInt32BE(off);
    const name = block.subarray(off + 4, off + 4 + nl).toString().toLowerCase();
    off += 4 + nl;
    const vl = block.readUInt32BE(off);
    // Several values of one name are NUL-separated; the first is what port-forward needs.
    out[name] = block.subarray(off + 4, off + 4 + vl).toString().split('\0')[0];
    off += 4 + vl;
  }
  return out;
}

/** One zlib context of a session direction: each block ends at a sync flush. */
function zlibBlocks(z: Deflate | Inflate): (input: Buffer) => Promise<Buffer> {
  const chunks: Buffer[] = [];
  z.on('data', (d: Buffer) => chunks.push(d));
  let last: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
  return (input) => {
    last = last.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          z.once('error', reject);
          z.write(input);
          z.flush(constants.Z_SYNC_FLUSH, () => {
            z.off('error', reject);
            resolve(Buffer.concat(chunks.splice(0)));
          });
        }),
    );
    return last;
  };
}

export class SpdyStream extends EventEmitter {
  private localDone = false;
  remoteDone = false;

  constructor(
    readonly id: number,
    readonly headers: Record<string, string>,
    private readonly session: SpdySession,
  ) {
    super();
  }

  write(data: Buffer): void {
    if (this.localDone) return;
    for (let off = 0; off < data.length; off += MAX_CHUNK) this.session.send(dataFrame(this.id, data.subarray(off, off + MAX_CHUNK), false));
  }

  /** Half-closes our side (an empty DATA frame with FIN). */
  end(): void {
    if (this.localDone) return;
    this.localDone = true;
    this.session.send(dataFrame(this.id, Buffer.alloc(0), true));
  }
}

/** A server-side SPDY/3.1 session on a byte stream; emits 'stream' (SpdyStream) and 'close'. */
export class SpdySession extends EventEmitter {
  private buf: Buffer = Buffer.alloc(0);
  private readonly streams = new Map<number, SpdyStream>();
  private readonly inflate = zlibBlocks(createInflate({ dictionary: SPDY3_DICTIONARY }));
  private readonly deflate = zlibBlocks(createDeflate({ dictionary: SPDY3_DICTIONARY }));
  /** Frames are handled in order: a SYN_STREAM's headers decompress asynchronously. */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly conn: Duplex) {
    super();
    conn.on('data', (d: Buffer) => this.onData(d));
    conn.on('error', () => this.close());
    conn.on('close', () => this.close());
    conn.on('end', () => this.close());
  }

  send(frame: Buffer): void {
    if (!this.closed) this.conn.write(frame);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.emit('reset');
    this.streams.clear();
    this.conn.destroy();
    this.emit('close');
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4) & 0xffffff;
      if (this.buf.length < 8 + len) break;
      const frame = this.buf.subarray(0, 8 + len);
      this.buf = this.buf.subarray(8 + len);
      this.queue = this.queue.then(() => this.handle(frame)).catch(() => this.close());
    }
  }

  private async handle(frame: Buffer): Promise<void> {
    const flags = frame[4];
    const payload = frame.subarray(8);
    if ((frame[0] & 0x80) === 0) {
      const s = this.streams.get(frame.readUInt32BE(0) & 0x7fffffff);
      if (!s) return;
      if (payload.length) s.emit('data', Buffer.from(payload));
      if (flags & FLAG_FIN) {
        s.remoteDone = true;
        s.emit('end');
      }
      return;
    }
    const type = frame.readUInt16BE(2);
    if (type === SYN_STREAM) {
      const id = payload.readUInt32BE(0) & 0x7fffffff;
      const headers = decodeHeaders(await this.inflate(payload.subarray(10)));
      const s = new SpdyStream(id, headers, this);
      this.streams.set(id, s);
      const reply = Buffer.alloc(4);
      reply.writeUInt32BE(id);
      this.send(controlFrame(SYN_REPLY, 0, Buffer.concat([reply, await this.deflate(encodeHeaders({}))])));
      this.emit('stream', s);
      if (flags & FLAG_FIN) {
        s.remoteDone = true;
        s.emit('end');
      }
    } else if (type === RST_STREAM) {
      const id = payload.readUInt32BE(0) & 0x7fffffff;
      this.streams.get(id)?.emit('reset');
      this.streams.delete(id);
    } else if (type === PING) {
      this.send(controlFrame(PING, 0, Buffer.from(payload)));
    } else if (type === GOAWAY) {
      this.close();
    }
    // SETTINGS, WINDOW_UPDATE, HEADERS: nothing to do (no flow control, as spdystream).
  }
}
