// The agent's own HTTP endpoint, the kubelet's /containerLogs/<ns>/<pod>/<container>: the
// apiserver forwards pods/<p>/log here (src/apiserver/node-streams.ts). Parameters as the kubelet:
// follow, previous, tailLines, limitBytes, timestamps, sinceSeconds, sinceTime (times from log-index.ts). Errors are plain text with 400/404; the apiserver turns
// them into Status messages. With locators it also serves the kubelet's /exec, /attach and
// /portForward upgrades (streams/server.ts).
import { open, readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { nanoTime, readIndex, stampLines, type StampedLine } from './log-index.js';
import { createStreamServer } from './streams/server.js';
import type { TargetLocator } from './streams/target.js';
import type { PodLocator } from './streams/server.js';

export interface LogSource {
  /** Oldest first: a rotated part, then the live file. */
  files: string[];
  /** While true, `follow` keeps waiting for more output. */
  live(): boolean;
}

export class LogNotFound extends Error {
  constructor(
    message: string,
    readonly code = 400,
  ) {
    super(message);
  }
}

export type LogLocator = (namespace: string, pod: string, container: string, previous: boolean) => LogSource;

export interface LogServer {
  listen(host: string, port: number): Promise<void>;
  port(): number;
  close(): Promise<void>;
}

/** The lines of the given files (oldest first), each with its checkpoint time. */
async function readStamped(files: string[], nowMs: number): Promise<StampedLine[]> {
  const lines: StampedLine[] = [];
  for (const f of files) {
    let data: Buffer;
    try {
      data = await readFile(f);
    } catch {
      continue; // a rotated part that is not there
    }
    lines.push(...stampLines(data, await readIndex(f), nowMs));
  }
  return lines;
}

function render(lines: readonly StampedLine[], timestamps: boolean): Buffer {
  return Buffer.concat(lines.flatMap((l) => (timestamps ? [Buffer.from(`${nanoTime(l.ms)} `), l.text] : [l.text])));
}

async function serveLogs(src: LogSource, url: URL, res: ServerResponse): Promise<void> {
  const q = url.searchParams;
  const follow = q.get('follow') === 'true';
  const timestamps = q.get('timestamps') === 'true';
  const tail = q.get('tailLines');
  const limitText = q.get('limitBytes');
  let budget = limitText ? Number(limitText) : Infinity;
  const now = Date.now();
  const since = q.get('sinceSeconds') !== null ? now - Number(q.get('sinceSeconds')) * 1000 : q.get('sinceTime') !== null ? Date.parse(q.get('sinceTime')!) : -Infinity;
  let lines = (await readStamped(src.files, now)).filter((l) => l.ms >= since);
  if (tail !== null) lines = Number(tail) > 0 ? lines.slice(-Number(tail)) : [];
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  const send = (b: Buffer): boolean => {
    if (budget <= 0) return false;
    const chunk = b.length > budget ? b.subarray(0, budget) : b;
    budget -= chunk.length;
    res.write(chunk);
    return budget > 0;
  };
  if (!send(render(lines, timestamps)) || !follow) return void res.end();
  const live = src.files[src.files.length - 1];
  let offset = (await stat(live).catch(() => ({ size: 0 }))).size;
  let closed = false;
  res.on('close', () => (closed = true));
  while (!closed) {
    const size = (await stat(live).catch(() => ({ size: 0 }))).size;
    if (size < offset) offset = 0; // rotated (copy + truncate)
    if (size > offset) {
      const fh = await open(live, 'r');
      const buf = Buffer.alloc(size - offset);
      await fh.read(buf, 0, buf.length, offset);
      await fh.close();
      offset = size;
      if (!send(render(stampLines(buf, [], Date.now()), timestamps))) break;
      continue;
    }
    if (!src.live()) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  res.end();
}

export function createLogServer(locate: LogLocator, targets?: TargetLocator, pods?: PodLocator): LogServer {
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (req.method !== 'GET' || !m) return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found\n');
    const [ns, pod, container] = m.slice(1).map(decodeURIComponent);
    let src: LogSource;
    try {
      src = locate(ns, pod, container, url.searchParams.get('previous') === 'true');
    } catch (e) {
      const code = e instanceof LogNotFound ? e.code : 500;
      return void res.writeHead(code, { 'Content-Type': 'text/plain' }).end((e as Error).message);
    }
    serveLogs(src, url, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' }).end((e as Error).message);
      else res.destroy();
    });
  });
  const streams = targets ? createStreamServer(targets, pods) : undefined;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (streams?.upgrade(req, socket, head)) return;
    socket.on('error', () => {});
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 19\r\nConnection: close\r\n\r\n404 page not found\n');
  });
  return {
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      }),
    port: () => (server.address() as AddressInfo | null)?.port ?? 0,
    close: () =>
      new Promise((resolve) => {
        streams?.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

