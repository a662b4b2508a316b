// Names outside the cluster zone go to the upstream resolvers, one after another until one
// answers (UDP first, TCP when the answer was truncated), through a TTL-respecting cache.
import dgram from 'node:dgram';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import * as packet from 'dns-packet';
import type { RecordType } from 'dns-packet';
import type { Upstream } from './config.js';
import type { Rcode } from './answer.js';
import { ForwardCache, type CachedAnswer } from './forward-cache.js';
import { rcodeName } from './rcode.js';

export interface ForwarderOptions {
  upstreams: Upstream[];
  timeoutMs: number;
  cache: ForwardCache;
  onCache?(hit: boolean): void;
}

export class Forwarder {
  private readonly inflight = new Map<string, Promise<CachedAnswer>>();
  constructor(private readonly o: ForwarderOptions) {}

  /** Resolves a question upstream (or from cache); never rejects: failures are SERVFAIL. */
  async resolve(name: string, type: RecordType, dnssecOk = false): Promise<CachedAnswer> {
    const key = `${name.toLowerCase()}|${type}|${dnssecOk ? 1 : 0}`;
    const cached = this.o.cache.get(key);
    this.o.onCache?.(cached !== undefined);
    if (cached) return cached;
    // Identical concurrent questions share one upstream exchange.
    let p = this.inflight.get(key);
    if (!p) {
      p = this.exchangeAll(name, type, dnssecOk).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
      void p.then((a) => this.o.cache.put(key, a));
    }
    return p;
  }

  private async exchangeAll(name: string, type: RecordType, dnssecOk: boolean): Promise<CachedAnswer> {
    for (const u of this.o.upstreams) {
      try {
        const query: packet.Packet = {
          type: 'query',
          id: randomInt(0, 65536),
          flags: packet.RECURSION_DESIRED,
          questions: [{ name, type, class: 'IN' }],
          additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: dnssecOk ? packet.DNSSEC_OK : 0, flag_do: dnssecOk, options: [] }],
        };
        let res = await udpExchange(u, query, this.o.timeoutMs);
        if (res.flag_tc) res = await tcpExchange(u, query, this.o.timeoutMs);
        const rcode = rcodeName(res.flags ?? 0);
        if (rcode === 'SERVFAIL' || rcode === 'REFUSED') continue;
        return {
          rcode,
          answers: res.answers ?? [],
          authorities: res.authorities ?? [],
          additionals: (res.additionals ?? []).filter((a) => a.type !== 'OPT'),
        };
      } catch {
        // Timeout, refused or garbage: try the next upstream.
      }
    }
    return { rcode: 'SERVFAIL' as Rcode, answers: [], authorities: [], additionals: [] };
  }
}

function matches(q: packet.Packet, r: packet.DecodedPacket): boolean {
  const a = q.questions?.[0];
  const b = r.questions?.[0];
  return r.type === 'response' && r.id === q.id && !!a && !!b && a.name.toLowerCase() === b.name.toLowerCase() && a.type === b.type;
}

function udpExchange(u: Upstream, q: packet.Packet, timeoutMs: number): Promise<packet.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(net.isIPv6(u.host) ? 'udp6' : 'udp4');
    let finished = false;
    const done = (err: Error | undefined, r?: packet.DecodedPacket) => {
      if (finished) return; // an error can follow another error or the answer; close only once
      finished = true;
      clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else resolve(r!);
    };
    const timer = setTimeout(() => done(new Error('upstream timeout')), timeoutMs);
    sock.on('error', (e) => done(e));
    sock.on('message', (msg, rinfo) => {
      // Only the upstream we asked, with our id and question, may answer (spoofing defence).
      if (rinfo.address !== u.host || rinfo.port !== u.port) return;
      let r: packet.DecodedPacket;
      try {
        r = packet.decode(msg);
      } catch {
        return;
      }
      if (matches(q, r)) done(undefined, r);
    });
    // A connected socket reports an unreachable network and ICMP port-unreachable as errors, so a
    // dead upstream (an isolated cluster has no route out) fails at once instead of timing out.
    // (A failed connect is handed to the callback, not emitted.)
    sock.connect(u.port, u.host, (err?: Error) => (err ? done(err) : sock.send(packet.encode(q), (e) => e && done(e))));
  });
}

function tcpExchange(u: Upstream, q: packet.Packet, timeoutMs: number): Promise<packet.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: u.host, port: u.port });
    let buf = Buffer.alloc(0);
    const done = (err: Error | undefined, r?: packet.DecodedPacket) => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(r!);
    };
    const timer = setTimeout(() => done(new Error('upstream timeout')), timeoutMs);
    sock.on('error', (e) => done(e));
    sock.on('connect', () => sock.write(packet.streamEncode(q)));
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 2) return;
      const len = buf.readUInt16BE(0);
      if (buf.length < 2 + len) return;
      try {
        const r = packet.decode(buf.subarray(2, 2 + len));
        if (matches(q, r)) done(undefined, r);
        else done(new Error('mismatched upstream answer'));
      } catch (e) {
        done(e as Error);
      }
    });
  });
}
