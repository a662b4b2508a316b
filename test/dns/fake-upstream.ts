// A fake upstream resolver on 127.0.0.1 (UDP and TCP, one port) answering from a fixed table, so
// forwarding tests never touch the machine's resolver. It counts the questions it receives.
import dgram from 'node:dgram';
import net from 'node:net';
import * as packet from 'dns-packet';
import type { Answer } from 'dns-packet';

export interface FakeUpstream {
  port: number;
  /** Questions seen, as "name TYPE" (lower case). */
  seen: string[];
  close(): Promise<void>;
}

/** `records` maps "name TYPE" → answers; a name with no entry of any type is NXDOMAIN. */
export async function startFakeUpstream(records: Record<string, Answer[]>, soaTtl = 60, opts: { truncateUdp?: boolean } = {}): Promise<FakeUpstream> {
  const seen: string[] = [];
  const respond = (msg: Buffer, udp = false): Buffer | undefined => {
    let q: packet.DecodedPacket;
    try {
      q = packet.decode(msg);
    } catch {
      return undefined;
    }
    const question = q.questions?.[0];
    if (!question) return undefined;
    const key = `${question.name.toLowerCase()} ${question.type}`;
    seen.push(key);
    const answers = records[key] ?? [];
    const exists = Object.keys(records).some((k) => k.startsWith(question.name.toLowerCase() + ' '));
    const soa: Answer = {
      type: 'SOA',
      name: 'example.org',
      ttl: soaTtl,
      data: { mname: 'ns.example.org', rname: 'hostmaster.example.org', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: soaTtl },
    };
    // A truncating upstream: over UDP only the header and TC, so the client must retry over TCP.
    if (udp && opts.truncateUdp) {
      return packet.encode({ type: 'response', id: q.id, flags: packet.RECURSION_AVAILABLE | packet.TRUNCATED_RESPONSE, questions: [question] });
    }
    return packet.encode({
      type: 'response',
      id: q.id,
      flags: packet.RECURSION_AVAILABLE | (exists ? 0 : 3),
      questions: [question],
      answers,
      authorities: answers.length ? [] : [soa],
    });
  };
  // UDP picks the port and TCP takes the same one, which another program may hold (the two port
  // spaces are separate): pick again a few times rather than fail on an unlucky draw.
  let udp: dgram.Socket | undefined;
  let tcp: net.Server | undefined;
  let port = 0;
  const conns = new Set<net.Socket>();
  for (let attempt = 1; !tcp; attempt++) {
    const u = dgram.createSocket('udp4');
    u.on('message', (m, r) => {
      const out = respond(m, true);
      if (out) u.send(out, r.port, r.address);
    });
    await new Promise<void>((res) => u.bind(0, '127.0.0.1', () => res()));
    port = u.address().port;
    const t = net.createServer((s) => {
      conns.add(s);
      s.on('close', () => conns.delete(s));
      s.on('error', () => {});
      let buf = Buffer.alloc(0);
      s.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const out = respond(buf.subarray(2, 2 + buf.readUInt16BE(0)));
          buf = buf.subarray(2 + buf.readUInt16BE(0));
          if (out) s.write(Buffer.concat([Buffer.from([out.length >> 8, out.length & 255]), out]));
        }
      });
    });
    try {
      await new Promise<void>((res, rej) => {
        t.once('error', rej);
        t.listen(port, '127.0.0.1', () => res());
      });
      udp = u;
      tcp = t;
    } catch (e) {
      u.close();
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 10) throw e;
    }
  }
  return {
    port,
    seen,
    async close() {
      for (const s of conns) s.destroy();
      await new Promise<void>((r) => udp!.close(() => r()));
      await new Promise<void>((r) => tcp!.close(() => r()));
    },
  };
}
