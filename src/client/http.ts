// The HTTP transport: JSON over Node's http(s) with a keep-alive agent; watches are streaming
// newline-delimited JSON; error responses become StatusErrors parsed from their Status bodies.
import http from 'node:http';
import https from 'node:https';
import type { KubeObject } from '../api/object.js';
import type { ResourceInfo } from '../api/resources.js';
import { fromHttpResponse } from './errors.js';
import { deleteBody, listQuery, resourcePath, watchQuery, writeQuery } from './http-paths.js';
import { NdjsonSplitter } from './ndjson.js';
import { stampKind } from './objects.js';
import type { ListResult, Transport, WatchEvent, WatchHandle } from './transport.js';

export interface HttpTransportOptions {
  /** e.g. "http://127.0.0.1:6443" or "https://10.0.0.1:6443". */
  server: string;
  /** Sent as "Authorization: Bearer <token>". */
  token?: string;
  /** TLS: CA bundle to trust, client certificate and key (PEM). */
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Default "kubesvc-client". */
  userAgent?: string;
  /** Abort a non-watch request that has not completed after this long (default 60 s). */
  requestTimeoutMs?: number;
}

interface Reply {
  status: number;
  body: string;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** How long past its requested timeout a watch may stay open before the client gives up on it. */
const WATCH_GRACE_S = 30;

export function httpTransport(opts: HttpTransportOptions): Transport {
  const base = new URL(opts.server);
  const secure = base.protocol === 'https:';
  if (!secure && base.protocol !== 'http:') throw new Error(`unsupported server URL ${opts.server}: want http:// or https://`);
  const prefix = base.pathname.replace(/\/+$/, '');
  const agentOpts = { keepAlive: true, ca: opts.ca, cert: opts.cert, key: opts.key };
  const agent = secure ? new https.Agent(agentOpts) : new http.Agent({ keepAlive: true });
  const requestFn = secure ? https.request : http.request;
  const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': opts.userAgent ?? 'kubesvc-client' };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  const timeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const watches = new Set<WatchHandle>();

  function open(method: string, path: string, contentType?: string, body?: string): http.ClientRequest {
    const h: Record<string, string | number> = { ...headers };
    if (body !== undefined) {
      h['Content-Type'] = contentType ?? 'application/json';
      h['Content-Length'] = Buffer.byteLength(body);
    }
    return requestFn({ protocol: base.protocol, hostname: base.hostname, port: base.port, path: prefix + path, method, headers: h, agent });
  }

  function send(method: string, path: string, body?: unknown, contentType?: string, retried = false): Promise<Reply> {
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = open(method, path, contentType, text);
      let answered = false;
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no response within ${timeoutMs} ms`)));
      req.on('error', (e: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed just as we reused it (e.g. it restarted): the
        // request never reached it, so one retry on a fresh connection is safe (not for POST,
        // which could have been half-processed).
        if (!answered && !retried && req.reusedSocket && e.code === 'ECONNRESET' && method !== 'POST') {
          send(method, path, body, contentType, true).then(resolve, reject);
        } else reject(e);
      });
      req.on('response', (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.end(text);
    });
  }

  async function call(method: string, path: string, body?: unknown, contentType?: string): Promise<KubeObject> {
    const r = await send(method, path, body, contentType);
    if (r.status < 200 || r.status > 299) throw fromHttpResponse(r.status, r.body);
    try {
      return JSON.parse(r.body) as KubeObject;
    } catch {
      throw fromHttpResponse(500, `invalid JSON in a ${r.status} response to ${method} ${path}: ${r.body.slice(0, 200)}`);
    }
  }

  const object = async (res: ResourceInfo, p: Promise<KubeObject>): Promise<KubeObject> => {
    const o = await p;
    stampKind(res, o);
    return o;
  };

  function watch(
    res: ResourceInfo,
    path: string,
    timeoutSeconds: number | undefined,
    onEvent: (ev: WatchEvent) => void,
    onEnd: (err?: Error) => void,
  ): Promise<WatchHandle> {
    return new Promise((resolve, reject) => {
      let stopped = false;
      let settled = false;
      let deadline: NodeJS.Timeout | undefined;
      const req = open('GET', path);
      const handle: WatchHandle = {
        stop() {
          if (stopped) return;
          stopped = true;
          clearTimeout(deadline);
          watches.delete(handle);
          req.destroy();
        },
      };
      // One ending per watch, whichever of end/error/close comes first; none after stop().
      const finish = (err?: Error) => {
        if (stopped) return;
        stopped = true;
        clearTimeout(deadline);
        watches.delete(handle);
        req.destroy();
        onEnd(err);
      };
      req.on('error', (e) => {
        if (!settled) {
          settled = true;
          stopped = true;
          reject(e);
        } else finish(e);
      });
      req.on('response', (r) => {
        if (r.statusCode !== 200) {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => {
            settled = true;
            stopped = true;
            reject(fromHttpResponse(r.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
          });
          r.on('error', (e) => {
            settled = true;
            stopped = true;
            reject(e);
          });
          return;
        }
        settled = true;
        watches.add(handle);
        resolve(handle);
        // A connection that died without a FIN would leave the watch silent forever; the server
        // ends it at timeoutSeconds, so one still open well past that is presumed dead.
        if (timeoutSeconds) {
          deadline = setTimeout(() => finish(new Error(`watch still open ${WATCH_GRACE_S} s past its ${timeoutSeconds} s timeout`)), (timeoutSeconds + WATCH_GRACE_S) * 1000);
          deadline.unref();
        }
        const splitter = new NdjsonSplitter();
        r.on('data', (chunk: Buffer) => {
          if (stopped) return;
          let values: unknown[];
          try {
            values = splitter.push(chunk);
          } catch (e) {
            finish(new Error(`corrupt watch stream: ${e instanceof Error ? e.message : String(e)}`));
            return;
          }
          for (const v of values) {
            if (stopped) return;
            const ev = v as WatchEvent;
            if (!ev || typeof ev.type !== 'string' || typeof ev.object !== 'object' || ev.object === null) {
              finish(new Error(`corrupt watch stream: unexpected value ${JSON.stringify(v).slice(0, 200)}`));
              return;
            }
            if (ev.type !== 'ERROR' && ev.type !== 'BOOKMARK') stampKind(res, ev.object);
            // A throwing consumer ends its own watch; it must not escape into the socket's emitter.
            try {
              onEvent(ev);
            } catch (e) {
              finish(e instanceof Error ? e : new Error(String(e)));
              return;
            }
          }
        });
        r.on('end', () => finish(splitter.pending ? new Error('watch stream ended mid-event') : undefined));
        r.on('error', (e) => finish(e));
        r.on('close', () => finish(r.complete ? undefined : new Error('watch connection closed before the stream ended')));
      });
      req.end();
    });
  }

  return {
    name: base.origin,
    get: (res, ns, name) => object(res, call('GET', resourcePath(res, ns, name))),
    async list(res, o) {
      const l = (await call('GET', resourcePath(res, o.namespace) + listQuery(o))) as KubeObject & {
        items?: KubeObject[];
        metadata?: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
      };
      const items = l.items ?? [];
      for (const item of items) stampKind(res, item);
      const out: ListResult = { items, resourceVersion: l.metadata?.resourceVersion ?? '' };
      if (l.metadata?.continue) out.continue = l.metadata.continue;
      if (l.metadata?.remainingItemCount !== undefined) out.remainingItemCount = l.metadata.remainingItemCount;
      return out;
    },
    create: (res, ns, obj, o) => object(res, call('POST', resourcePath(res, ns ?? obj.metadata?.namespace) + writeQuery(o), obj)),
    update: (res, ns, name, obj, o) => object(res, call('PUT', resourcePath(res, ns, name) + writeQuery(o), obj)),
    updateStatus: (res, ns, name, obj, o) => object(res, call('PUT', resourcePath(res, ns, name, 'status') + writeQuery(o), obj)),
    patch: (res, ns, name, type, patch, o) =>
      object(res, call('PATCH', resourcePath(res, ns, name, o.subresource) + writeQuery(o), patch, type)),
    delete: (res, ns, name, o) => object(res, call('DELETE', resourcePath(res, ns, name) + writeQuery({}), deleteBody(o))),
    watch: (res, o, handlers) => watch(res, resourcePath(res, o.namespace) + watchQuery(o), o.timeoutSeconds, (ev) => handlers.onEvent(ev), (err) => handlers.onEnd(err)),
    close() {
      for (const w of [...watches]) w.stop();
      agent.destroy();
    },
  };
}
