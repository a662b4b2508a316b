// Minimal keep-alive HTTP client for the benchmark: JSON in, status + body out, no retries.
import { Agent, request } from 'node:http';

export interface Reply {
  status: number;
  body: string;
}

export function makeClient(base: string, maxSockets: number) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const url = new URL(base);
  function call(method: string, path: string, body?: unknown, contentType = 'application/json', accept = 'application/json'): Promise<Reply> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers: { accept, ...(data ? { 'content-type': contentType, 'content-length': Buffer.byteLength(data) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  }
  return { call, close: () => agent.destroy() };
}

/** Open a watch and call `onLine` for every event line; returns a function that closes it. */
export function openWatch(base: string, path: string, onLine: (line: string) => void): Promise<() => void> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers: { accept: 'application/json' } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`watch ${path}: HTTP ${res.statusCode}`));
        res.resume();
        return;
      }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line.trim()) onLine(line);
        }
      });
      res.on('error', () => {});
      resolve(() => req.destroy());
    });
    req.on('error', (e) => reject(e));
    req.end();
  });
}
