// For the programs' unit tests: a handler on a real loopback socket, and a request written byte
// for byte (so header names, their order and repeats are exactly what a client like curl sends).
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { Handler } from './serve.js';

export async function listenLoopback(handler: Handler): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

export interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
}

/** Sends `head` (lines joined with CRLF, blank line added) and `body`; reads until the server closes. */
export function rawRequest(port: number, head: string[], body?: Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', reject);
    sock.on('end', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const lines = all.subarray(0, split).toString('latin1').split('\r\n');
      const headers = new Map(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as [string, string]));
      let rest = all.subarray(split + 4);
      if (headers.get('transfer-encoding') === 'chunked') {
        const parts: Buffer[] = [];
        for (;;) {
          const eol = rest.indexOf('\r\n');
          const n = parseInt(rest.subarray(0, eol).toString(), 16);
          if (!n) break;
          parts.push(rest.subarray(eol + 2, eol + 2 + n));
          rest = rest.subarray(eol + 2 + n + 2);
        }
        rest = Buffer.concat(parts);
      }
      resolve({ status: Number(lines[0].split(' ')[1]), headers, body: rest });
    });
    // Connection: close makes the server end the socket after its answer.
    sock.write(Buffer.concat([Buffer.from([...head, 'Connection: close', '', ''].join('\r\n'), 'latin1'), body ?? Buffer.alloc(0)]));
  });
}
