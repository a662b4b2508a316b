// registry.k8s.io/echoserver (also k8s.gcr.io/ and gcr.io/google_containers/): the nginx + Lua
// page the Kubernetes docs' "Using Source IP" tutorial and minikube's old quick start read. It
// answers every path on 8080 with what it saw of the request. client_address is the TCP peer of
// the connection (nginx's $remote_addr), so it shows whether a Service kept the client's source
// address or a node masqueraded it.
//
// Two formats, by image tag (facts from the images' nginx.conf and published outputs):
// - 1.4 and earlier (nginx 1.10.0, ngx_lua 10001): CLIENT VALUES / SERVER VALUES / HEADERS
//   RECEIVED / BODY, `key=value` lines, a missing query string printed as Lua's `nil`, the body
//   last with no newline after it.
// - 1.8 and later, 1.10 the one tutorials use (nginx 1.13.3, ngx_lua 10008): blank lines, then
//   Hostname, Pod Information (node/pod name, namespace, IP when POD_NAME is in the environment),
//   Server values, Request Information (adds request_scheme), Request Headers, Request Body;
//   tab-indented, every value HTML-escaped (& < > " ') as its template engine does.
// Both: header names lower-cased and sorted, $host is the Host header without its port, the
// request_uri line carries the server's own port (8080), HTTP/1.0 shows as `1` (Lua prints the
// number 1.0 that way), a body larger than nginx's 8 KiB in-memory buffer is not shown.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { combinedLogLine, rawHeaderPairs, readBody, serve } from './serve.js';

export const ECHOSERVER_PORT = 8080;
/** nginx's client_body_buffer_size on x86-64: larger bodies go to a file and $request_body is empty. */
const BODY_IN_MEMORY = 8 * 1024;

export interface EchoserverStyle {
  legacy: boolean;
  serverVersion: string;
}

/** The response format of an echoserver tag; untagged and unknown tags answer as 1.10. */
export function echoserverStyle(tag: string | undefined): EchoserverStyle {
  const m = /^1\.(\d+)$/.exec(tag ?? '');
  if (m && Number(m[1]) <= 6) return { legacy: true, serverVersion: 'nginx: 1.10.0 - lua: 10001' };
  return { legacy: false, serverVersion: 'nginx: 1.13.3 - lua: 10008' };
}

/** What the page shows of one request. */
export interface EchoRequest {
  clientAddress: string;
  method: string;
  /** The request target as sent (nginx's $request_uri). */
  target: string;
  httpVersion: string;
  headers: readonly [string, string][];
  serverPort: number;
  /** undefined: no body, or one nginx kept on disk. */
  body?: Buffer;
}

/** Lua's tostring() of ngx.req.http_version(): 1.1, 1 (for 1.0), 2 (for 2.0). */
function luaVersion(v: string): string {
  return String(Number(v));
}

/** ngx.req.get_headers(): lower-cased names, repeats gathered in arrival order; keys sorted bytewise. */
function headerTable(pairs: readonly [string, string][]): [string, string[]][] {
  const m = new Map<string, string[]>();
  for (const [k, v] of pairs) {
    const key = k.toLowerCase();
    m.set(key, [...(m.get(key) ?? []), v]);
  }
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** nginx's $host: the Host header's name part, lower-cased; the server name (`_`) without one. */
function hostOf(headers: readonly [string, string][]): string {
  const h = headers.find(([k]) => k.toLowerCase() === 'host')?.[1] ?? '';
  const name = (h.startsWith('[') ? h.slice(0, h.indexOf(']') + 1) : h.split(':')[0]).toLowerCase();
  return name || '_';
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ENTITIES[c]);

/**
 * The page as bytes. Strings are handled as latin1 throughout: Node decodes header bytes that way,
 * so every byte the client sent comes back unchanged (escaping aside).
 */
export function renderEchoserver(r: EchoRequest, style: EchoserverStyle, env: Readonly<Record<string, string | undefined>>): Buffer {
  const q = r.target.indexOf('?');
  const query = q < 0 ? undefined : r.target.slice(q + 1);
  const uri = `http://${hostOf(r.headers)}:${r.serverPort}${r.target}`;
  const headers = headerTable(r.headers);
  const body = r.body?.toString('latin1');
  let s: string;
  if (style.legacy) {
    s =
      'CLIENT VALUES:\n' +
      `client_address=${r.clientAddress}\ncommand=${r.method}\nreal path=${r.target}\nquery=${query ?? 'nil'}\n` +
      `request_version=${luaVersion(r.httpVersion)}\nrequest_uri=${uri}\n\n` +
      `SERVER VALUES:\nserver_version=${style.serverVersion}\n\n` +
      'HEADERS RECEIVED:\n' +
      // ngx.say of a table (a repeated header) prints its elements back to back.
      headers.map(([k, v]) => `${k}=${v.join('')}\n`).join('') +
      `BODY:\n${body ?? '-no body in request-'}`;
  } else {
    const e = escapeHtml;
    const pod = env.POD_NAME
      ? `\tnode name:\t${e(env.NODE_NAME ?? 'N/A')}\n\tpod name:\t${e(env.POD_NAME)}\n\tpod namespace:\t${e(env.POD_NAMESPACE ?? 'N/A')}\n\tpod IP:\t${e(env.POD_IP ?? 'N/A')}\n`
      : '\t-no pod information available-\n';
    s =
      `\n\nHostname: ${e(env.HOSTNAME ?? 'N/A')}\n\nPod Information:\n${pod}\n` +
      `Server values:\n\tserver_version=${style.serverVersion}\n\n` +
      `Request Information:\n\tclient_address=${e(r.clientAddress)}\n\tmethod=${e(r.method)}\n\treal path=${e(r.target)}\n` +
      `\tquery=${e(query ?? '')}\n\trequest_version=${luaVersion(r.httpVersion)}\n\trequest_scheme=http\n\trequest_uri=${e(uri)}\n\n` +
      'Request Headers:\n' +
      // A repeated header: the values joined with ", " (the real template prints Lua's "table: 0x…").
      headers.map(([k, v]) => `\t${e(k)}=${e(v.join(', '))}\n`).join('') +
      `\nRequest Body:\n${body === undefined ? '\t-no body in request-' : e(body)}\n\n`;
  }
  return Buffer.from(s, 'latin1');
}

export function echoserverHandler(style: EchoserverStyle, env: Readonly<Record<string, string | undefined>>, log: (line: string) => void) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    readBody(req, BODY_IN_MEMORY).then(
      ({ body, truncated }) => {
        const page = renderEchoserver(
          {
            clientAddress: req.socket.remoteAddress ?? '',
            method: req.method ?? 'GET',
            target: req.url ?? '/',
            httpVersion: req.httpVersion,
            headers: rawHeaderPairs(req),
            serverPort: req.socket.localPort ?? ECHOSERVER_PORT,
            body: body.length > 0 && !truncated ? body : undefined,
          },
          style,
          env,
        );
        res.writeHead(200, { server: style.legacy ? 'nginx/1.10.0' : 'echoserver', 'content-type': 'text/plain' }).end(page);
        log(combinedLogLine(req, 200, page.length, new Date()));
      },
      () => res.destroy(),
    );
  };
}

/** `echoserver --image-tag=1.4`: serves on 8080 until SIGTERM. */
export function runEchoserver(args: readonly string[]): void {
  const tag = args.find((a) => a.startsWith('--image-tag='))?.slice('--image-tag='.length);
  const style = echoserverStyle(tag || undefined);
  serve([ECHOSERVER_PORT], echoserverHandler(style, process.env, (l) => console.log(l)), 'echoserver', () => {});
}
