// One UDP listener of the userspace proxy. Each client (address:port) gets a session: a socket
// connected to the endpoint picked for it; replies go back to the client from the listening socket,
// so they come from the address the client sent to. A session ends after `idleMs` without traffic
// (kube-proxy userspace: --udp-timeout) or when its endpoint stops being usable — then the client's
// next datagram picks a live endpoint (no stale-conntrack blackhole here).
import { createSocket, type Socket } from 'node:dgram';
import type { Logger } from '../../util/log.js';
import type { Balancer, Target } from './balancer.js';

interface Session {
  readonly target: Target;
  readonly sock: Socket;
  timer: NodeJS.Timeout;
  /** Datagrams that arrived before the connected socket was ready. */
  queue: Buffer[] | undefined;
}

export class UdpListener {
  private readonly sock: Socket;
  private readonly sessions = new Map<string, Session>();

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly balancer: Balancer,
    private readonly idleMs: number,
    private readonly log: Logger,
  ) {
    this.sock = createSocket({ type: 'udp4', reuseAddr: false });
    this.sock.on('message', (msg, rinfo) => this.onMessage(msg, rinfo.address, rinfo.port));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.sock.once('error', reject);
      this.sock.bind({ address: this.host, port: this.port, exclusive: true }, () => {
        this.sock.off('error', reject);
        this.sock.on('error', (err) => this.log.warn('udp listener error', { addr: `${this.host}:${this.port}`, err }));
        resolve();
      });
    });
  }

  private onMessage(msg: Buffer, addr: string, port: number): void {
    const id = `${addr}:${port}`;
    const s = this.sessions.get(id);
    if (!s) {
      const target = this.balancer.pick(addr);
      if (!target) return;
      const sock = createSocket('udp4');
      const session: Session = { target, sock, timer: setTimeout(() => this.end(id), this.idleMs), queue: [msg] };
      this.sessions.set(id, session);
      sock.on('message', (reply) => {
        this.touch(id);
        this.sock.send(reply, port, addr);
      });
      sock.on('error', () => this.end(id));
      sock.connect(target.port, target.ip, () => {
        for (const m of session.queue ?? []) sock.send(m);
        session.queue = undefined;
      });
      return;
    }
    this.touch(id);
    if (s.queue) s.queue.push(msg);
    else s.sock.send(msg);
  }

  private touch(id: string): void {
    const s = this.sessions.get(id);
    if (!s) return;
    clearTimeout(s.timer);
    s.timer = setTimeout(() => this.end(id), this.idleMs);
  }

  private end(id: string): void {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    clearTimeout(s.timer);
    try {
      s.sock.close();
    } catch {
      // already closed
    }
  }

  /** Ends the sessions whose endpoint the balancer no longer has. */
  dropStale(): void {
    for (const [id, s] of this.sessions) if (!this.balancer.has(s.target)) this.end(id);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  async close(): Promise<void> {
    for (const id of [...this.sessions.keys()]) this.end(id);
    await new Promise<void>((r) => this.sock.close(() => r()));
  }
}
