// One TCP listener of the userspace proxy (a ClusterIP:port, an external IP:port or a NodePort):
// each accepted connection is spliced to an endpoint the Balancer picks. `pipe` gives backpressure
// (a slow reader pauses the other side) and, with allowHalfOpen, a FIN travels through as a FIN.
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../util/log.js';
import { key, type Balancer, type Target } from './balancer.js';

export class TcpListener {
  private readonly server: Server;
  private readonly conns = new Set<Socket>();

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly balancer: Balancer,
    private readonly log: Logger,
  ) {
    // Paused until the endpoint answers, so nothing the client sends is read before it can go on.
    this.server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (c) => this.accept(c));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.host, port: this.port, exclusive: true }, () => {
        this.server.off('error', reject);
        this.server.on('error', (err) => this.log.warn('listener error', { addr: `${this.host}:${this.port}`, err }));
        resolve();
      });
    });
  }

  private accept(client: Socket): void {
    this.conns.add(client);
    client.on('close', () => this.conns.delete(client));
    client.on('error', () => client.destroy());
    this.dial(client, new Set());
  }

  /** Tries endpoints until one accepts (a refused endpoint is skipped, as kube-proxy's userspace mode retried). */
  private dial(client: Socket, failed: Set<string>): void {
    const t: Target | undefined = this.balancer.pick(client.remoteAddress ?? '', failed);
    if (!t) {
      client.resetAndDestroy();
      return;
    }
    const up = connect({ host: t.ip, port: t.port, allowHalfOpen: true });
    let connected = false;
    up.once('connect', () => {
      connected = true;
      up.setNoDelay(true);
      client.setNoDelay(true);
      client.pipe(up);
      up.pipe(client);
    });
    up.on('error', () => {
      if (!connected && !client.destroyed) {
        failed.add(key(t));
        this.dial(client, failed);
        return;
      }
      client.destroy();
    });
    up.on('close', () => {
      if (connected) client.destroy();
    });
    client.on('close', () => up.destroy());
  }

  /** Stops accepting; open connections go on unless `dropConnections`. */
  async close(dropConnections = false): Promise<void> {
    if (dropConnections) for (const c of this.conns) c.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
