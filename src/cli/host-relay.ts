// An isolated cluster lives in a network namespace of its own, so its API server cannot be reached
// from the host's loopback. A filesystem unix socket is the one door both namespaces share: inside,
// the socket leads to the API server's TCP port; outside, the host's address leads to the socket.
// The host's kubectl then uses the cluster as if it were local, and nothing else of the host's
// network is touched.
import { mkdirSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';

export interface Relay {
  /** The TCP port the relay listens on (host side) or 0 (unix side). */
  port(): number;
  close(): Promise<void>;
}

/** Joins two sockets both ways; either side ending or failing ends the other. */
function join(a: Socket, b: Socket): void {
  a.pipe(b);
  b.pipe(a);
  const end = () => {
    a.destroy();
    b.destroy();
  };
  a.on('error', end);
  b.on('error', end);
  a.on('close', end);
  b.on('close', end);
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

function track(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return sockets;
}

/** Inside the namespace: connections on `socketPath` go to host:port (the API server). */
export async function listenUnixToTcp(socketPath: string, target: { host: string; port: number }): Promise<Relay> {
  mkdirSync(dirname(socketPath), { recursive: true });
  rmSync(socketPath, { force: true });
  const server = createServer((client) => join(client, createConnection(target.port, target.host)));
  const sockets = track(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: () => 0,
    close: async () => {
      await closeServer(server, sockets);
      rmSync(socketPath, { force: true });
    },
  };
}

/** On the host: connections on host:port go to `socketPath` (port 0 picks a free one). */
export async function listenTcpToUnix(listen: { host: string; port: number }, socketPath: string): Promise<Relay> {
  const server = createServer((client) => join(client, createConnection(socketPath)));
  const sockets = track(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: () => {
      const a = server.address();
      return typeof a === 'object' && a ? a.port : 0;
    },
    close: () => closeServer(server, sockets),
  };
}
