// The agent's own HTTP endpoint, the kubelet's /containerLogs/<ns>/<pod>/<container>: the
// apiserver forwards pods/<p>/log here (src/apiserver/node-streams.ts). Parameters as the kubelet:
// follow, previous, tailLines, limitBytes. Errors are plain text with 400/404; the apiserver turns
// them into Status messages.
import { open, readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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

async function readAll(files: string[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const f of files) {
    try {
      parts.push(await readFile(f));
    } catch {
      // a rotated part that is not there
    }
  }
  return Buffer.concat(parts);
}

function lastLines(buf: Buffer, n: number): Buffer {
  if (n <= 0) return Buffer.alloc(0);
  let end = buf.length;
  if (end > 0 && buf[end - 1] === 0x0a) end--;
  let i = end;
  let seen = 0;
  while (i > 0) {
    if (buf[i - 1] === 0x0a && ++seen === n) break;
    i--;
  }
  return buf.subarray(i);
}

async function serveLogs(src: LogSource, url: URL, res: ServerResponse): Promise<void> {
  const follow = url.searchParams.get('follow') === 'true';
  const tail = url.searchParams.get('tailLines');
  const limitText = url.searchParams.get('limitBytes');
  let budget = limitText ? Number(limitText) : Infinity;
  let data = await readAll(src.files);
  if (tail !== null) data = lastLines(data, Number(tail));
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  const send = (b: Buffer): boolean => {
    if (budget <= 0) return false;
    const chunk = b.length > budget ? b.subarray(0, budget) : b;
    budget -= chunk.length;
    res.write(chunk);
    return budget > 0;
  };
  if (!send(data) || !follow) return void res.end();
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
      if (!send(buf)) break;
      continue;
    }
    if (!src.live()) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  res.end();
}

export function createLogServer(locate: LogLocator): LogServer {
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
  return {
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      }),
    port: () => (server.address() as AddressInfo | null)?.port ?? 0,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

