// exec and attach over SPDY/3.1 — what kubectl falls back to when its WebSocket upgrade fails,
// and what older clients speak (protocol v4.channel.k8s.io, negotiated through the
// X-Stream-Protocol-Version header). The client opens one stream per channel, each named by its
// `streamtype` header: error, stdin, stdout, stderr, resize (newline-separated JSON sizes). Once
// the expected streams are open, the session runs; at the end stdout/stderr are half-closed, the
// Status is written on the error stream, and the client closes the connection.
import type { Readable } from 'node:stream';
import type { StreamOptions } from './exec.js';
import type { StreamSession } from './session.js';
import type { SpdySession, SpdyStream } from './spdy.js';

export const SPDY_REMOTECOMMAND_PROTOCOLS = ['v4.channel.k8s.io'];

/** The protocol picked from the client's X-Stream-Protocol-Version list (undefined: none we speak). */
export function pickSpdyProtocol(header: string | string[] | undefined): string | undefined {
  const offered = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((p) => p.trim());
  return offered.find((p) => SPDY_REMOTECOMMAND_PROTOCOLS.includes(p));
}

/** Stream types the client will open for these options (client-go's v4 protocol). */
export function expectedStreams(opts: StreamOptions): string[] {
  return ['error', ...(opts.stdin ? ['stdin'] : []), ...(opts.stdout ? ['stdout'] : []), ...(opts.stderr && !opts.tty ? ['stderr'] : []), ...(opts.tty ? ['resize'] : [])];
}

const STREAMS_WAIT_MS = 30_000;

export function runSpdySession(spdy: SpdySession, opts: StreamOptions, start: () => StreamSession): void {
  const want = expectedStreams(opts);
  const got = new Map<string, SpdyStream>();
  const timer = setTimeout(() => spdy.close(), STREAMS_WAIT_MS);
  timer.unref();
  spdy.on('stream', (s: SpdyStream) => {
    const type = s.headers.streamtype ?? '';
    if (!want.includes(type) || got.has(type)) return s.end();
    got.set(type, s);
    if (got.size === want.length) {
      clearTimeout(timer);
      wire(spdy, got, start);
    }
  });
}

function wire(spdy: SpdySession, streams: Map<string, SpdyStream>, start: () => StreamSession): void {
  const errorStream = streams.get('error')!;
  let session: StreamSession;
  try {
    session = start();
  } catch (e) {
    errorStream.write(Buffer.from(JSON.stringify({ metadata: {}, status: 'Failure', message: (e as Error).message, reason: 'InternalError', code: 500 })));
    for (const s of streams.values()) s.end();
    return;
  }
  spdy.on('close', () => session.abort());
  const stdin = streams.get('stdin');
  stdin?.on('data', (d: Buffer) => session.stdin?.write(d));
  stdin?.on('end', () => session.stdin?.end());
  let pending = '';
  streams.get('resize')?.on('data', (d: Buffer) => {
    pending += d.toString();
    for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
      const line = pending.slice(0, i);
      pending = pending.slice(i + 1);
      try {
        const size = JSON.parse(line) as { Width?: number; Height?: number };
        if (Number.isInteger(size.Width) && Number.isInteger(size.Height)) session.resize?.(size.Width!, size.Height!);
      } catch {
        // not a size
      }
    }
  });
  const pipe = (from: Readable | undefined, to: SpdyStream | undefined) =>
    new Promise<void>((resolve) => {
      if (!to) return resolve(void from?.resume());
      if (!from) return resolve(to.end());
      from.on('data', (d: Buffer) => to.write(d));
      from.once('end', () => resolve(to.end()));
      from.once('close', () => resolve(to.end()));
    });
  void (async () => {
    const outputs = Promise.all([pipe(session.stdout, streams.get('stdout')), pipe(session.stderr, streams.get('stderr'))]);
    const status = await session.finished;
    await outputs;
    errorStream.write(Buffer.from(JSON.stringify(status)));
    errorStream.end();
    streams.get('resize')?.end();
    stdin?.end();
  })();
}
