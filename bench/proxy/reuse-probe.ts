// The `Connection: close` mechanism, isolated: from each of COUNT client ports (in parallel), one
// HTTP request with `Connection: close` to TARGET (the server closes first, so the server keeps
// the 4-tuple in TIME_WAIT). run.ts calls it twice from the same pod and ports: first to one
// address, then to the same or the other (pod IP vs ClusterIP), optionally flushing conntrack in
// between. The client derives its ISN and TCP timestamp offset from the pre-NAT addresses: when the
// second SYN reaches the server on the 4-tuple it holds in TIME_WAIT, but was sent to another
// address than the first, its timestamp comes from an unrelated clock and is rejected (PAWS) in
// about half the cases; the server answers with an ACK, the client resets and retransmits its SYN.
// Conntrack normally avoids that by giving the second connection another source port while the
// first one's entry is still in TIME_WAIT. Prints JSON: the connect times.
// Usage (in a pod namespace): node --import tsx bench/proxy/reuse-probe.ts TARGET COUNT BASEPORT
import { connect, type Socket } from 'node:net';

const target = process.argv[2];
const count = Number(process.argv[3] ?? 20);
const base = Number(process.argv[4] ?? 40000);

const split = (hp: string) => {
  const i = hp.lastIndexOf(':');
  return { host: hp.slice(0, i), port: Number(hp.slice(i + 1)) };
};

/** One request from localPort; resolves with the connect time once the server has closed. */
function request(target: string, localPort: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let connectMs = NaN;
    const s: Socket = connect({ ...split(target), localPort, localAddress: '0.0.0.0' });
    s.setTimeout(10_000, () => s.destroy(new Error(`timeout ${target} from ${localPort}`)));
    s.on('connect', () => {
      connectMs = performance.now() - t0;
      s.write('GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n');
    });
    s.on('data', () => {});
    // The server's FIN arrives first ('end'); Node then ends our side: TIME_WAIT stays at the server.
    s.on('close', (hadError) => (hadError ? reject(new Error(`error ${target} from ${localPort}`)) : resolve(connectMs)));
    s.on('error', reject);
  });
}

const ports = Array.from({ length: count }, (_, i) => base + i);
const ms = await Promise.all(ports.map((p) => request(target, p)));
console.log(JSON.stringify(ms.map((x) => Math.round(x * 10) / 10)));
