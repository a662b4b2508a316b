// The listening side shared by the tutorial images' programs: one HTTP server per port on IPv4
// (pods are single-stack, so peers show as plain addresses, which is what echoserver's
// client_address is about), exit 1 when a port cannot be bound, exit 0 on SIGTERM/SIGINT as the
// real servers do when the kubelet stops them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Starts `handler` on every port; `onListening` prints the program's start-up line. */
export function serve(ports: readonly number[], handler: Handler, name: string, onListening: (port: number) => void): Server[] {
  const servers = [...new Set(ports)].map((port) =>
    createServer(handler)
      .listen(port, '0.0.0.0', () => onListening(port))
      .on('error', (e) => {
        console.error(`${name}: cannot listen on :${port}: ${e.message}`);
        process.exit(1);
      }),
  );
  // The pod's /etc/hosts names ::1 localhost too, and busybox wget tries only the first address
  // (::1), so `wget localhost` needs a listener there, as the real servers' `[::]:80`. A socket of
  // its own keeps IPv4 peers plain; a pod without IPv6 just goes without it.
  for (const port of new Set(ports)) {
    const v6 = createServer(handler).on('error', () => v6.close());
    v6.listen({ port, host: '::1', ipv6Only: true });
    servers.push(v6);
  }
  const stop = () => {
    for (const s of servers) s.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return servers;
}

/** A `--name=value` or `--name value` flag (one or two dashes). */
export function flagValue(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i].replace(/^--?/, '--');
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
    if (a === `--${name}` && i + 1 < args.length) return args[i + 1];
  }
  return undefined;
}

/** A port from the environment (PORT and the like), or the fallback when unset or not a port. */
export function portFrom(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isInteger(n) && n > 0 && n < 65536 ? n : fallback;
}

/**
 * The request's header lines in the order received, names as sent. Node folds repeated headers
 * (and drops some repeats) in `req.headers`; echo servers show what came on the wire.
 */
export function rawHeaderPairs(req: IncomingMessage): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) out.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  return out;
}

/**
 * Reads the whole body. Bytes past `keep` are read and dropped (the request still completes);
 * `truncated` says so.
 */
export function readBody(req: IncomingMessage, keep: number): Promise<{ body: Buffer; size: number; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (d: Buffer) => {
      if (size < keep) parts.push(d.subarray(0, keep - size));
      size += d.length;
    });
    req.on('end', () => resolve({ body: Buffer.concat(parts), size, truncated: size > keep }));
    req.on('error', reject);
  });
}

/** nginx's $time_local: `22/Nov/2026:07:15:00 +0000` in the process's time zone. */
export function nginxTimeLocal(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const zone = `${off >= 0 ? '+' : '-'}${p(Math.floor(Math.abs(off) / 60))}${p(Math.abs(off) % 60)}`;
  return `${p(d.getDate())}/${months[d.getMonth()]}/${d.getFullYear()}:${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${zone}`;
}

/** One line of nginx's `combined` access log, which the nginx-based images write to stdout. */
export function combinedLogLine(req: IncomingMessage, status: number, bytes: number, now: Date): string {
  const h = (name: string) => {
    const v = req.headers[name];
    return typeof v === 'string' && v !== '' ? v : '-';
  };
  return `${req.socket.remoteAddress ?? '-'} - - [${nginxTimeLocal(now)}] "${req.method} ${req.url} HTTP/${req.httpVersion}" ${status} ${bytes} "${h('referer')}" "${h('user-agent')}"`;
}
