// The sockets: one UDP socket and one TCP listener per listen address. TCP carries any number of
// length-prefixed queries per connection (RFC 7766), with an idle timeout and size bounds so a
// slow or hostile client cannot hold memory.
import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from '../util/log.js';
import type { Listen } from './config.js';
import { handleMessage, type HandlerDeps } from './handler.js';

export interface Listener {
  udp: dgram.Socket;
  tcp: net.Server;
  /** Open TCP connections, destroyed on close (net.Server.close waits for them otherwise). */
  conns: Set<net.Socket>;
  address: Listen;
}

const TCP_IDLE_MS = 10_000;
const MAX_TCP_CONNECTIONS = 1000;
const MAX_TCP_PENDING = 16;
const UDP_RECV_BUFFER = 4 << 20;

export async function listen(deps: HandlerDeps, where: Listen, log: Logger): Promise<Listener> {
  // With port 0, UDP picks the port and TCP must get the same one; another program may already hold
  // that TCP port (the two port spaces are separate), so pick again a few times before giving up.
  for (let attempt = 1; ; attempt++) {
    try {
      return await listenOnce(deps, where, log);
    } catch (e) {
      if (where.port !== 0 || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 10) throw e;
    }
  }
}

async function listenOnce(deps: HandlerDeps, where: Listen, log: Logger): Promise<Listener> {
  const family = net.isIPv6(where.host) ? 'udp6' : 'udp4';
  // A large receive buffer absorbs bursts (a client with hundreds of queries in flight) instead of dropping them.
  const udp = dgram.createSocket({ type: family, reuseAddr: false, recvBufferSize: UDP_RECV_BUFFER });
  udp.on('message', (msg, rinfo) => {
    // Source port 0 cannot be answered; it is only ever spoofed.
    if (rinfo.port === 0) return;
    handleMessage(deps, msg, 'udp').then(
      (out) => {
        if (out) udp.send(out, rinfo.port, rinfo.address);
      },
      (err) => log.error('dns query failed', { err }),
    );
  });
  udp.on('error', (err) => log.error('udp socket error', { err }));
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(where.port, where.host, () => {
      udp.off('error', reject);
      resolve();
    });
  });
  // Both sockets share one port: a `0` port takes UDP's pick for TCP too.
  const port = udp.address().port;
  const conns = new Set<net.Socket>();
  const tcp = net.createServer({ pauseOnConnect: false }, (sock) => {
    conns.add(sock);
    sock.on('close', () => conns.delete(sock));
    serveTcp(deps, sock, log);
  });
  tcp.maxConnections = MAX_TCP_CONNECTIONS;
  try {
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(port, where.host, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    udp.close();
    throw e;
  }
  tcp.on('error', (err) => log.error('tcp listener error', { err }));
  return { udp, tcp, conns, address: { host: where.host, port } };
}

function serveTcp(deps: HandlerDeps, sock: net.Socket, log: Logger): void {
  let buf = Buffer.alloc(0);
  let pending = 0;
  sock.setTimeout(TCP_IDLE_MS, () => sock.destroy());
  sock.on('error', () => sock.destroy());
  sock.on('data', (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= 2) {
      const len = buf.readUInt16BE(0);
      if (buf.length < 2 + len) break;
      const msg = buf.subarray(2, 2 + len);
      buf = buf.subarray(2 + len);
      if (++pending > MAX_TCP_PENDING) {
        sock.destroy();
        return;
      }
      handleMessage(deps, Buffer.from(msg), 'tcp').then(
        (out) => {
          pending--;
          if (!out) return;
          if (sock.destroyed) return;
          const frame = Buffer.alloc(2 + out.length);
          frame.writeUInt16BE(out.length, 0);
          out.copy(frame, 2);
          sock.write(frame);
        },
        (err) => {
          pending--;
          log.error('dns query failed', { err });
        },
      );
    }
  });
}

export async function closeListener(l: Listener): Promise<void> {
  await new Promise<void>((r) => l.udp.close(() => r()));
  const closed = new Promise<void>((r) => l.tcp.close(() => r()));
  for (const s of l.conns) s.destroy();
  await closed;
}
