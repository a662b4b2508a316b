// kicbase/echo-server (minikube's quick start: `kubectl create deployment hello-minikube
// --image=kicbase/echo-server:1.0`), a build of jmalloc/echo-server: on $PORT (8080) every path
// answers "Request served by <hostname>", a blank line, "<proto> <method> <target>", a blank line,
// "Host: …" and the other headers one per line in Go's canonical spelling, sorted, then the body
// after a blank line when there is one. SEND_SERVER_HOSTNAME=false or an
// `X-Send-Server-Hostname: false` header leaves the first line out. It logs
// "Echo server listening on port 8080." and "<peer> | <method> <target>" per request.
// Not here: its WebSocket echo, the /.ws page and /.sse.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { portFrom, rawHeaderPairs, readBody, serve } from './serve.js';

/** Go's textproto.CanonicalMIMEHeaderKey: `x-forwarded-for` → `X-Forwarded-For`; names with other characters stay as sent. */
export function canonicalHeaderKey(k: string): string {
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(k)) return k;
  return k.toLowerCase().replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
}

export interface EchoServerRequest {
  method: string;
  target: string;
  httpVersion: string;
  headers: readonly [string, string][];
  body: Buffer;
}

/** The response body. Go's server keeps Host apart and drops Transfer-Encoding from the header map. */
export function renderEchoServer(r: EchoServerRequest, served: string | undefined): Buffer {
  const host = r.headers.find(([k]) => k.toLowerCase() === 'host')?.[1] ?? '';
  const byKey = new Map<string, string[]>();
  for (const [k, v] of r.headers) {
    const key = canonicalHeaderKey(k);
    if (key === 'Host' || key === 'Transfer-Encoding') continue;
    byKey.set(key, [...(byKey.get(key) ?? []), v]);
  }
  const keys = [...byKey.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let s = served === undefined ? '' : `Request served by ${served}\n\n`;
  s += `HTTP/${r.httpVersion} ${r.method} ${r.target}\n\nHost: ${host}\n`;
  for (const k of keys) for (const v of byKey.get(k) ?? []) s += `${k}: ${v}\n`;
  const head = Buffer.from(s, 'latin1');
  return r.body.length > 0 ? Buffer.concat([head, Buffer.from('\n'), r.body]) : head;
}

export function echoServerHandler(env: Readonly<Record<string, string | undefined>>, host: string, log: (line: string) => void) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    log(`${req.socket.remoteAddress}:${req.socket.remotePort} | ${req.method} ${req.url}`);
    const asked = req.headers['x-send-server-hostname'];
    const send = (typeof asked === 'string' && asked !== '' ? asked : (env.SEND_SERVER_HOSTNAME ?? '')).toLowerCase() !== 'false';
    readBody(req, 64 * 1024 * 1024).then(
      ({ body }) => {
        const page = renderEchoServer({ method: req.method ?? 'GET', target: req.url ?? '/', httpVersion: req.httpVersion, headers: rawHeaderPairs(req), body }, send ? host : undefined);
        res.writeHead(200, { 'content-type': 'text/plain' }).end(page);
      },
      () => res.destroy(),
    );
  };
}

export function runEchoServer(): void {
  const port = portFrom(process.env.PORT, 8080);
  serve([port], echoServerHandler(process.env, hostname(), (l) => console.log(l)), 'echo-server', (p) => console.log(`Echo server listening on port ${p}.`));
}
