// The SPDY/3.1 session and port-forward on loopback, driven by a hand-built client: SYN_STREAMs
// with headers compressed in one zlib context (with the SPDY/3 dictionary, as spdystream does),
// SYN_REPLY for each, bytes to a real TCP server and back, FIN on both streams when it closes, the
// kubelet's error text for a refused port, and PING echoed.
import assert from 'node:assert/strict';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { test } from 'node:test';
import { constants, createDeflate, createInflate } from 'node:zlib';
import { servePortForward } from './portforward.js';
import { controlFrame, dataFrame, encodeHeaders, PING, SpdySession, SYN_REPLY, SYN_STREAM, decodeHeaders } from './spdy.js';
import { SPDY3_DICTIONARY } from './spdy-dictionary.js';

function adler32(b: Buffer): number {
  let a = 1;
  let c = 0;
  for (const x of b) {
    a = (a + x) % 65521;
    c = (c + a) % 65521;
  }
  return ((c << 16) | a) >>> 0;
}

test('the SPDY/3 header dictionary is the protocol constant', () => {
  assert.equal(SPDY3_DICTIONARY.length, 1423);
  assert.equal(adler32(SPDY3_DICTIONARY), 0xe3c6a7c2);
});

test('name/value blocks round-trip with lower-case names', () => {
  assert.deepEqual(decodeHeaders(encodeHeaders({ StreamType: 'data', port: '80', requestID: '0' })), { streamtype: 'data', port: '80', requestid: '0' });
});

interface Frame {
  control: boolean;
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

/** A client end: compressed SYN_STREAMs, DATA, and a parsed list of what the server sent. */
function client(sock: Socket) {
  const deflate = createDeflate({ dictionary: SPDY3_DICTIONARY });
  const out: Buffer[] = [];
  deflate.on('data', (d: Buffer) => out.push(d));
  const compress = (b: Buffer) => new Promise<Buffer>((r) => (deflate.write(b), deflate.flush(constants.Z_SYNC_FLUSH, () => r(Buffer.concat(out.splice(0))))));
  const inflate = createInflate({ dictionary: SPDY3_DICTIONARY });
  inflate.on('data', () => {});
  const frames: Frame[] = [];
  let buf = Buffer.alloc(0);
  const waiters: (() => void)[] = [];
  sock.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 8 && buf.length >= 8 + (buf.readUInt32BE(4) & 0xffffff)) {
      const len = buf.readUInt32BE(4) & 0xffffff;
      const f = buf.subarray(0, 8 + len);
      buf = buf.subarray(8 + len);
      const control = (f[0] & 0x80) !== 0;
      const payload = f.subarray(8);
      frames.push({ control, type: control ? f.readUInt16BE(2) : 0, flags: f[4], streamId: control ? (payload.length >= 4 ? payload.readUInt32BE(0) & 0x7fffffff : 0) : f.readUInt32BE(0) & 0x7fffffff, payload });
    }
    for (const w of waiters.splice(0)) w();
  });
  const until = async (pred: () => boolean) => {
    while (!pred()) await new Promise<void>((r) => waiters.push(r));
  };
  return {
    frames,
    until,
    async syn(id: number, headers: Record<string, string>, fin = false) {
      const fields = Buffer.alloc(10);
      fields.writeUInt32BE(id, 0);
      sock.write(controlFrame(SYN_STREAM, fin ? 1 : 0, Buffer.concat([fields, await compress(encodeHeaders(headers))])));
    },
    data: (id: number, d: string, fin = false) => sock.write(dataFrame(id, Buffer.from(d), fin)),
    raw: (b: Buffer) => sock.write(b),
    streamData: (id: number) => Buffer.concat(frames.filter((f) => !f.control && f.streamId === id).map((f) => f.payload)).toString(),
    finished: (id: number) => frames.some((f) => !f.control && f.streamId === id && (f.flags & 1) === 1),
  };
}

test('port-forward over a SPDY session: reply, bytes both ways, FIN, refused port, ping', async (t) => {
  // The "pod": an upper-casing echo server on loopback that closes after its first answer.
  const pod = createServer((s) => s.once('data', (d: Buffer) => s.end(d.toString().toUpperCase())));
  await new Promise<void>((r) => pod.listen(0, '127.0.0.1', r));
  const podPort = (pod.address() as AddressInfo).port;
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const closedPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const agent = createServer((sock) => servePortForward(new SpdySession(sock), { podFullName: 'web_default', uid: 'u-1', podIP: '127.0.0.1' }));
  await new Promise<void>((r) => agent.listen(0, '127.0.0.1', r));
  const sock = connect((agent.address() as AddressInfo).port, '127.0.0.1');
  t.after(() => {
    sock.destroy();
    agent.close();
    pod.close();
  });
  await new Promise((r) => sock.once('connect', r));
  const c = client(sock);

  await c.syn(1, { streamtype: 'error', port: String(podPort), requestid: '0' }, true);
  await c.syn(3, { streamtype: 'data', port: String(podPort), requestid: '0' });
  await c.until(() => c.frames.filter((f) => f.control && f.type === SYN_REPLY).length === 2);
  assert.deepEqual(c.frames.filter((f) => f.type === SYN_REPLY).map((f) => f.streamId), [1, 3]);
  c.data(3, 'hello pod');
  await c.until(() => c.finished(3) && c.finished(1));
  assert.equal(c.streamData(3), 'HELLO POD');
  assert.equal(c.streamData(1), '', 'no error');

  await c.syn(5, { streamtype: 'error', port: String(closedPort), requestid: '1' }, true);
  await c.syn(7, { streamtype: 'data', port: String(closedPort), requestid: '1' });
  await c.until(() => c.finished(5));
  assert.match(c.streamData(5), new RegExp(`^error forwarding port ${closedPort} to pod web_default, uid u-1: failed to connect to 127\\.0\\.0\\.1:${closedPort}`));

  const ping = Buffer.alloc(4);
  ping.writeUInt32BE(7);
  c.raw(controlFrame(PING, 0, ping));
  await c.until(() => c.frames.some((f) => f.control && f.type === PING));
  assert.equal(c.frames.find((f) => f.type === PING)?.payload.readUInt32BE(0), 7);
});
