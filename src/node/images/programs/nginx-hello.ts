// nginxdemos/hello: NGINX's load-balancing demo backend on port 80. Every path answers with the
// server's address and port (nginx's $server_addr:$server_port: the pod IP and 80), its host name
// (the pod), the date ($time_local), the request URI, the client's address and port and a request
// id (32 hex digits); `nginxdemos/hello:plain-text` sends the same as five text lines ("Server
// address:", "Server name:", "Date:", "URI:", "Request ID:"), the default tag as an HTML page.
// The HTML here is our own small page with the same fields, not NGINX's (no logo, no auto-refresh
// script). Both send `Expires` one second back and `Cache-Control: no-cache` (nginx's
// `expires -1`) and log nginx's combined access-log line.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { combinedLogLine, nginxTimeLocal, serve } from './serve.js';

export interface HelloFields {
  serverAddress: string;
  serverName: string;
  date: string;
  uri: string;
  clientAddress: string;
  requestId: string;
}

export function plainTextPage(f: HelloFields): string {
  return `Server address: ${f.serverAddress}\nServer name: ${f.serverName}\nDate: ${f.date}\nURI: ${f.uri}\nRequest ID: ${f.requestId}\n`;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export function htmlPage(f: HelloFields): string {
  const row = (label: string, value: string) => `<tr><th>${label}</th><td>${esc(value)}</td></tr>\n`;
  return (
    '<!DOCTYPE html>\n<html>\n<head>\n<title>Hello World</title>\n</head>\n<body>\n<table>\n' +
    row('Server&nbsp;name:', f.serverName) +
    row('Server&nbsp;address:', f.serverAddress) +
    row('URI:', f.uri) +
    row('Date:', f.date) +
    row('Client&nbsp;IP:', f.clientAddress) +
    row('Request&nbsp;ID:', f.requestId) +
    '</table>\n</body>\n</html>\n'
  );
}

export function nginxHelloHandler(plainText: boolean, host: string, log: (line: string) => void) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const now = new Date();
    const f: HelloFields = {
      serverAddress: `${req.socket.localAddress}:${req.socket.localPort}`,
      serverName: host,
      date: nginxTimeLocal(now),
      uri: req.url ?? '/',
      clientAddress: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
      requestId: randomBytes(16).toString('hex'),
    };
    const body = plainText ? plainTextPage(f) : htmlPage(f);
    res
      .writeHead(200, {
        server: 'nginx/1.27.3',
        'content-type': plainText ? 'text/plain' : 'text/html',
        expires: new Date(now.getTime() - 1000).toUTCString(),
        'cache-control': 'no-cache',
      })
      .end(body);
    log(combinedLogLine(req, 200, Buffer.byteLength(body), now));
  };
}

/** `nginx-hello --image-tag=plain-text`. */
export function runNginxHello(args: readonly string[]): void {
  const plain = args.includes('--image-tag=plain-text');
  serve([80], nginxHelloHandler(plain, hostname(), (l) => console.log(l)), 'nginx-hello', () => {});
}
