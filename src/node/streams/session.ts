// One stream session over an accepted WebSocket: client messages go to the process's stdin (or are
// resize/close signals), its stdout/stderr go out on channels 1 and 2, and once both have ended and
// the process has finished, its Status goes out on channel 3 and the socket closes normally — in
// that order, so kubectl has printed all output before it learns the exit code.
import type { Readable } from 'node:stream';
import type { WebSocket } from 'ws';
import { ERROR, frame, parseMessage, STDERR, STDIN, STDOUT, type StreamStatus } from './channels.js';

export interface StreamSession {
  /** Input for the process (undefined: stdin was not asked for). */
  stdin?: { write(data: Buffer): void; end(): void };
  stdout?: Readable;
  stderr?: Readable;
  resize?(width: number, height: number): void;
  /** Settles when the process is done: the Status to send. */
  finished: Promise<StreamStatus>;
  /** The client went away first: stop the process (exec) or stop following (attach). */
  abort(): void;
}

const ended = (r: Readable | undefined) => (r ? new Promise<void>((resolve) => (r.readableEnded || r.destroyed ? resolve() : (r.once('end', resolve), r.once('close', resolve)))) : Promise.resolve());

export function runSession(ws: WebSocket, protocol: string, s: StreamSession): Promise<void> {
  let open = true;
  const send = (channel: number, data: Buffer | string) => {
    if (open && ws.readyState === ws.OPEN) ws.send(frame(channel, data), { binary: true });
  };
  s.stdout?.on('data', (d: Buffer) => send(STDOUT, d));
  s.stderr?.on('data', (d: Buffer) => send(STDERR, d));
  ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    const msg = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
    if (!isBinary) return;
    const m = parseMessage(msg, protocol);
    if (m.kind === 'data' && m.channel === STDIN && m.data.length) s.stdin?.write(m.data);
    else if (m.kind === 'close' && m.channel === STDIN) s.stdin?.end();
    else if (m.kind === 'resize') s.resize?.(m.width, m.height);
  });
  ws.on('error', () => {});
  ws.on('close', () => {
    if (!open) return;
    open = false;
    s.abort();
  });
  return (async () => {
    const status = await s.finished;
    await Promise.all([ended(s.stdout), ended(s.stderr)]);
    send(ERROR, JSON.stringify(status));
    if (open) {
      open = false;
      ws.close(1000);
    }
  })();
}
