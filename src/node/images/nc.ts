// `nc` of the busybox images: the netcat-1.10-compatible nc of the Docker busybox image (busybox's
// nc_bloaty.c), which Debian's busybox build lacks (its small nc has no -z, -v, -u). Run inside the
// pod's sandbox as a built-in (`builtin.js nc ARGS`, started by the `nc` script in the applet
// directory), so host names resolve through the pod's resolv.conf and hosts file (getaddrinfo, as
// busybox; the search path applies: `nc -zv web 80`). Behaviour and texts follow nc_bloaty.c:
//   connect: `HOST (IP:PORT) open` with -v; a refusal is printed only with -vv (exit 1 either way),
//     other failures with -v (`nc: HOST (IP:PORT): Connection timed out`); -w bounds the connect.
//   -z: connect and close (UDP: one byte, a pause of -w or a TCP "ping" of port 31337, one more
//     byte; an ICMP refusal fails the second send).
//   data: stdin to the peer (EOF half-closes), the peer to stdout; nc ends when both are closed;
//     with -w, after two idle periods of -w seconds (not an error).
//   -l [-p PORT] [HOST [PORT]]: `listening on [::]:PORT ...` and `connect to LOCAL from NAME
//     (ADDR)` with -v; one connection (-w bounds the wait: `nc: timeout`); -e PROG runs PROG on
//     it; -lk/-ll with -e accept for ever, one PROG per connection.
//   SIGINT/SIGTERM/SIGQUIT: `punt!`, then death by that signal.
// Not done: -o (hex dump) is refused, -i sends stdin line by line but does not pace reads.
import { spawn } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { lookup, lookupService } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { connect, createServer, isIP, type AddressInfo, type Server, type Socket } from 'node:net';
import { NC_USAGE, parseNcArgs, type NcOptions } from './nc-args.js';

const STRERROR: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ECONNRESET: 'Connection reset by peer',
  EADDRINUSE: 'Address in use',
  EADDRNOTAVAIL: 'Address not available',
  EACCES: 'Permission denied',
  EAFNOSUPPORT: 'Address family not supported by protocol',
  EPIPE: 'Broken pipe',
  ENOENT: 'No such file or directory',
};

/** Thrown to end nc with busybox's `nc: MESSAGE` and exit status 1. */
class Die extends Error {
  constructor(
    message: string,
    /** The errno behind it, when there is one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

const say = (line: string) => process.stderr.write(`${line}\n`);
const errno = (e: unknown) => (e as NodeJS.ErrnoException).code ?? 'EIO';
const strerror = (e: unknown) => STRERROR[errno(e)] ?? (e as Error).message;

/** busybox's dotted form: `1.2.3.4:80`, `[::1]:80`. */
export function dotted(address: string, port: number): string {
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

/** bb_lookup_port: a number up to 65535, else a name from /etc/services for the protocol. */
export function lookupPort(spec: string | undefined, proto: 'tcp' | 'udp', services = '/etc/services'): number {
  if (spec === undefined) return 0;
  if (/^[0-9]+$/.test(spec) && Number(spec) <= 65535) return Number(spec);
  let text = '';
  try {
    text = readFileSync(services, 'utf8');
  } catch {
    // no services file: only numbers
  }
  for (const line of text.split('\n')) {
    const [name, port, ...aliases] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (port?.endsWith(`/${proto}`) && (name === spec || aliases.includes(spec))) return Number(port.slice(0, -proto.length - 1));
  }
  throw new Die(`bad port '${spec}'`);
}

/** xhost2sockaddr: getaddrinfo through the pod's resolv.conf, an IPv4 address preferred. */
async function resolveHost(host: string): Promise<{ address: string; family: 4 | 6 }> {
  const v = isIP(host);
  if (v) return { address: host, family: v as 4 | 6 };
  try {
    const all = await lookup(host, { all: true });
    const pick = all.find((a) => a.family === 4) ?? all[0];
    if (pick) return { address: pick.address, family: pick.family as 4 | 6 };
  } catch {
    // reported below, as busybox does
  }
  throw new Die(`bad address '${host}'`);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Signals end nc as in busybox: "punt!" (and the counts with -vv), then death by the signal. */
function catchSignals(o: NcOptions, counts: { net: number; out: number }): void {
  for (const sig of ['SIGINT', 'SIGQUIT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (o.verbose > 1) say(`sent ${counts.net}, rcvd ${counts.out}`);
      say('punt!');
      process.removeAllListeners(sig);
      process.kill(process.pid, sig);
    });
  }
}

/** `-e PROG`: PROG with the connection as stdin and stdout (stderr stays); resolves to its exit status. */
function runProg(prog: string[], sock: Socket): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(prog[0], prog.slice(1), { stdio: [sock, sock, 'inherit'] });
    // The child has its own copy of the connection; ours is closed without a FIN.
    child.once('spawn', () => sock.destroy());
    child.once('error', (e) => {
      say(`nc: can't execute '${prog[0]}': ${strerror(e)}`);
      sock.destroy();
      resolve(errno(e) === 'ENOENT' ? 127 : 126);
    });
    child.once('exit', (code, signal) => resolve(signal ? 128 + ((({ SIGINT: 2, SIGKILL: 9, SIGTERM: 15, SIGPIPE: 13 }) as Record<string, number>)[signal] ?? 1) : (code ?? 0)));
  });
}

/**
 * -w in the data phase: after `wait` seconds without traffic busybox tries once more, then gives
 * up (`net timeout` with -vv). `active()` restarts the clock on traffic; without -w it does nothing.
 */
function idleLimit(o: NcOptions, onTimeout: () => void): { active: () => void; stop: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let retries = 2;
  const stop = () => {
    if (timer) clearTimeout(timer);
  };
  const active = () => {
    if (!o.wait) return;
    stop();
    timer = setTimeout(function fire() {
      if (--retries === 0) {
        if (o.verbose > 1) say('net timeout');
        return onTimeout();
      }
      timer = setTimeout(fire, o.wait * 1000);
    }, o.wait * 1000);
  };
  return { active, stop };
}

/** The data phase over TCP: both directions until both are closed, or -w idles twice. */
function pumpTcp(sock: Socket, o: NcOptions, counts: { net: number; out: number }): Promise<number> {
  return new Promise((resolve) => {
    let stdinOpen = true;
    let netOpen = true;
    const done = () => {
      idle.stop();
      process.stdin.destroy();
      sock.destroy();
      resolve(0);
    };
    const idle = idleLimit(o, done);
    const active = idle.active;
    const closed = () => {
      if (!stdinOpen && !netOpen) done();
    };
    active();
    sock.on('data', (d: Buffer) => {
      active();
      counts.out += d.length;
      if (!process.stdout.write(d)) {
        sock.pause();
        process.stdout.once('drain', () => sock.resume());
      }
    });
    const netGone = (e?: Error) => {
      if (!netOpen) return;
      if (e && o.verbose > 1) say(`nc: net read: ${strerror(e)}`);
      netOpen = false;
      closed();
    };
    sock.on('end', () => netGone());
    sock.on('error', (e) => netGone(e));
    const send = async (d: Buffer) => {
      if (!netOpen || sock.destroyed) return;
      if (!o.interval) {
        counts.net += d.length;
        if (!sock.write(d)) {
          process.stdin.pause();
          sock.once('drain', () => process.stdin.resume());
        }
        return;
      }
      // -i: one line at a time, a pause after each.
      process.stdin.pause();
      let rest = d;
      while (rest.length) {
        const nl = rest.indexOf(10);
        const line = nl < 0 ? rest : rest.subarray(0, nl + 1);
        rest = rest.subarray(line.length);
        if (netOpen && !sock.destroyed) {
          sock.write(line);
          counts.net += line.length;
        }
        await sleep(o.interval * 1000);
      }
      process.stdin.resume();
    };
    process.stdin.on('data', (d: Buffer) => {
      active();
      void send(d);
    });
    const stdinGone = () => {
      if (!stdinOpen) return;
      stdinOpen = false;
      // Tell the peer we have no more data (busybox shuts the write side down).
      if (netOpen && !sock.destroyed) sock.end();
      closed();
    };
    process.stdin.on('end', stdinGone);
    process.stdin.on('error', stdinGone);
  });
}

/** The data phase over UDP: datagrams both ways; only -w (two idle periods) or a signal ends it. */
function pumpUdp(sock: UdpSocket, o: NcOptions, counts: { net: number; out: number }): Promise<number> {
  return new Promise((resolve) => {
    let stdinOpen = true;
    let netOpen = true;
    const done = () => {
      idle.stop();
      process.stdin.destroy();
      sock.close();
      resolve(0);
    };
    const idle = idleLimit(o, done);
    const active = idle.active;
    active();
    sock.on('message', (d) => {
      active();
      counts.out += d.length;
      process.stdout.write(d);
    });
    // A refusal (ICMP) arrives as a read error: busybox then stops reading the network.
    sock.on('error', (e) => {
      if (o.verbose > 1) say(`nc: net read: ${strerror(e)}`);
      netOpen = false;
      if (!stdinOpen) done();
    });
    process.stdin.on('data', (d: Buffer) => {
      active();
      for (let i = 0; i < d.length; i += 8192) {
        const part = d.subarray(i, i + 8192);
        counts.net += part.length;
        if (netOpen) sock.send(part, () => {});
      }
    });
    const stdinGone = () => {
      stdinOpen = false;
      if (!netOpen) done();
    };
    process.stdin.on('end', stdinGone);
    process.stdin.on('error', stdinGone);
  });
}

/** TCP connect with the -w limit; rejects with an errno-carrying error (ETIMEDOUT for the limit). */
function tcpConnect(target: { address: string }, port: number, o: NcOptions, local?: { address?: string; port: number }): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: target.address, port, allowHalfOpen: true, ...(local?.address ? { localAddress: local.address } : {}), ...(local?.port ? { localPort: local.port } : {}) });
    // Nothing is read before the data phase (or PROG) takes the connection.
    sock.pause();
    const t = o.wait
      ? setTimeout(() => {
          sock.destroy();
          reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }));
        }, o.wait * 1000)
      : undefined;
    sock.once('connect', () => {
      clearTimeout(t);
      resolve(sock);
    });
    sock.once('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
  });
}

function udpSend(sock: UdpSocket, b: Buffer): Promise<void> {
  return new Promise((resolve, reject) => sock.send(b, (e) => (e ? reject(e) : resolve())));
}

async function udpSocket(family: 4 | 6, o: NcOptions, local: { address?: string; port: number }): Promise<UdpSocket> {
  const sock = createSocket({ type: family === 6 ? 'udp6' : 'udp4', reuseAddr: true });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind({ port: local.port, ...(local.address ? { address: local.address } : {}) }, () => {
      sock.off('error', reject);
      resolve();
    });
  }).catch((e: unknown) => {
    throw new Die(`bind: ${strerror(e)}`, errno(e));
  });
  if (o.broadcast) sock.setBroadcast(true);
  return sock;
}

/** udptest of nc_bloaty.c: did a refusal come back between two one-byte datagrams? */
async function udpTest(sock: UdpSocket, target: { address: string }, o: NcOptions): Promise<void> {
  // Node hands a refusal to the next receive, as an 'error' event: keep the first.
  let refused: Error | undefined;
  const onError = (e: Error) => (refused ??= e);
  sock.on('error', onError);
  try {
    const nul = Buffer.alloc(1);
    await udpSend(sock, nul).catch((e: unknown) => say(`nc: udptest first write: ${strerror(e)}`));
    if (o.wait) await sleep(o.wait * 1000);
    else await tcpConnect(target, 31337, { ...o, wait: 5 }).then((s) => s.destroy(), () => {});
    if (refused) throw refused;
    await udpSend(sock, nul);
    await sleep(0);
    if (refused) throw refused;
  } finally {
    sock.off('error', onError);
  }
}

async function outbound(o: NcOptions, counts: { net: number; out: number }): Promise<number> {
  const [host, portSpec] = o.operands;
  const proto = o.udp ? 'udp' : 'tcp';
  const lport = lookupPort(o.localPort, proto);
  const target = await resolveHost(host);
  const port = lookupPort(portSpec, proto);
  const local = { address: o.localAddress ? (await resolveHost(o.localAddress)).address : undefined, port: lport };
  const them = dotted(target.address, port);
  const failed = (e: unknown) => {
    // At one -v a refusal is not worth a line (port scans); -vv shows everything.
    if (o.verbose > 1 || (o.verbose && errno(e) !== 'ECONNREFUSED')) say(`nc: ${host} (${them}): ${strerror(e)}`);
    return 1;
  };
  if (o.udp) {
    const sock = await udpSocket(target.family, o, local);
    try {
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.connect(port, target.address, () => {
          sock.off('error', reject);
          resolve();
        });
      });
      if (o.zero) await udpTest(sock, target, o);
    } catch (e) {
      sock.close();
      return failed(e);
    }
    if (o.verbose) say(`${host} (${them}) open`);
    if (o.zero) {
      sock.close();
      return 0;
    }
    return pumpUdp(sock, o, counts);
  }
  let sock: Socket;
  try {
    sock = await tcpConnect(target, port, o, local);
  } catch (e) {
    if (errno(e) === 'EADDRINUSE' || errno(e) === 'EADDRNOTAVAIL') throw new Die(`bind: ${strerror(e)}`);
    return failed(e);
  }
  if (o.verbose) say(`${host} (${them}) open`);
  if (o.prog) return runProg(o.prog, sock);
  if (o.zero) {
    sock.destroy();
    return 0;
  }
  sock.resume();
  return pumpTcp(sock, o, counts);
}

/** xmalloc_sockaddr2host: the peer's name (getnameinfo) and port, the numeric form when it has none. */
async function hostOf(address: string, port: number, numeric: boolean): Promise<string> {
  if (numeric) return dotted(address, port);
  try {
    // glibc names a v4-mapped peer by its IPv4 address; Node's lookupService does not.
    const { hostname } = await lookupService(address.replace(/^::ffff:(?=[0-9.]+$)/, ''), port);
    return isIP(hostname) ? dotted(hostname, port) : `${hostname}:${port}`;
  } catch {
    return dotted(address, port);
  }
}

/** The wildcard address busybox binds to: IPv6 (dual stack) when the pod has it, else IPv4. */
async function listenTcp(server: Server, address: string | undefined, port: number): Promise<void> {
  const tryListen = (host: string) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  try {
    if (address) return await tryListen(address);
    try {
      await tryListen('::');
    } catch (e) {
      if (errno(e) !== 'EAFNOSUPPORT' && errno(e) !== 'EADDRNOTAVAIL') throw e;
      await tryListen('0.0.0.0');
    }
  } catch (e) {
    throw new Die(`bind: ${strerror(e)}`);
  }
}

/** Does a connection from address:port match the peer named on the command line (if any)? */
function peerMatches(them: { address: string; port: number } | undefined, address: string, port: number): boolean {
  if (!them) return true;
  const plain = address.replace(/^::ffff:/, '');
  return plain === them.address.replace(/^::ffff:/, '') && (them.port === 0 || them.port === port);
}

async function listen(o: NcOptions, counts: { net: number; out: number }): Promise<number> {
  const proto = o.udp ? 'udp' : 'tcp';
  const lport = lookupPort(o.localPort, proto);
  const local = o.localAddress ? (await resolveHost(o.localAddress)).address : undefined;
  const them = o.operands[0] !== undefined ? { address: (await resolveHost(o.operands[0])).address, port: lookupPort(o.operands[1], proto) } : undefined;
  const persistent = o.listen > 1 && o.prog !== undefined;

  if (o.udp) {
    // Like TCP: the IPv6 wildcard (dual stack) first, IPv4 when the pod has no IPv6.
    const sock = local
      ? await udpSocket(isIP(local) as 4 | 6, o, { address: local, port: lport })
      : await udpSocket(6, o, { port: lport }).catch((e: unknown) => {
          if (e instanceof Die && (e.code === 'EAFNOSUPPORT' || e.code === 'EADDRNOTAVAIL')) return udpSocket(4, o, { port: lport });
          throw e;
        });
    const a = sock.address();
    if (o.verbose) say(`listening on ${dotted(a.address, a.port)} ...`);
    const first = await new Promise<{ msg: Buffer; address: string; port: number } | undefined>((resolve) => {
      const t = o.wait ? setTimeout(() => resolve(undefined), o.wait * 1000) : undefined;
      const onMessage = (msg: Buffer, r: { address: string; port: number }) => {
        if (!peerMatches(them, r.address, r.port)) return;
        clearTimeout(t);
        sock.off('message', onMessage);
        resolve({ msg, address: r.address, port: r.port });
      };
      sock.on('message', onMessage);
    });
    if (!first) throw new Die('timeout');
    await new Promise<void>((resolve) => sock.connect(first.port, first.address, () => resolve()));
    if (o.verbose) say(`connect to ${dotted(sock.address().address, sock.address().port)} from ${await hostOf(first.address, first.port, o.numeric)} (${dotted(first.address, first.port)})`);
    counts.out += first.msg.length;
    process.stdout.write(first.msg);
    return pumpUdp(sock, o, counts);
  }

  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
  await listenTcp(server, local, lport);
  const addr = server.address() as AddressInfo;
  if (o.verbose) say(`listening on ${dotted(addr.address, addr.port)} ...`);
  return new Promise<number>((resolve, reject) => {
    let t = o.wait ? setTimeout(() => reject(new Die('timeout')), o.wait * 1000) : undefined;
    server.on('connection', (sock: Socket) => {
      const ra = sock.remoteAddress ?? '';
      const rp = sock.remotePort ?? 0;
      if (!peerMatches(them, ra, rp)) {
        if (o.verbose) say(`nc: connect from wrong ip/port ${dotted(ra, rp)} ignored`);
        sock.destroy();
        return;
      }
      clearTimeout(t);
      t = undefined;
      if (!persistent) server.close();
      void (async () => {
        if (o.verbose) say(`connect to ${dotted(sock.localAddress ?? '', sock.localPort ?? 0)} from ${await hostOf(ra, rp, o.numeric)} (${dotted(ra, rp)})`);
        if (o.prog) {
          const code = await runProg(o.prog, sock);
          if (!persistent) resolve(code);
          return;
        }
        sock.resume();
        resolve(await pumpTcp(sock, o, counts));
      })();
    });
  });
}

export async function main(argv: string[]): Promise<void> {
  const parsed = parseNcArgs(argv);
  if (!parsed.ok) {
    if (parsed.message) say(`nc: ${parsed.message}`);
    if (parsed.usage) process.stderr.write(NC_USAGE);
    process.exit(1);
  }
  const o = parsed.opts;
  const counts = { net: 0, out: 0 };
  catchSignals(o, counts);
  // A closed stdout (`nc ... | head -1`) ends nc with status 1, as busybox's "too many output retries".
  process.stdout.on('error', () => process.exit(1));
  let code: number;
  try {
    if (o.hexdump !== undefined) throw new Die('-o (hex dump) is not supported by kubesvc');
    if (o.listen) code = await listen(o, counts);
    else if (o.operands.length === 0) {
      process.stderr.write(NC_USAGE);
      code = 1;
    } else code = await outbound(o, counts);
  } catch (e) {
    if (!(e instanceof Die)) throw e;
    say(`nc: ${e.message}`);
    code = 1;
  }
  if (o.verbose > 1) say(`sent ${counts.net}, rcvd ${counts.out}`);
  // Exit once stdout has taken everything written to it (stdin may still be open).
  process.stdout.write('', () => process.exit(code));
}
