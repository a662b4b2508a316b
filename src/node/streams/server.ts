// The agent's stream endpoints, as the kubelet's: `/exec/<ns>/<pod>/<container>?command=...&stdin=
// &stdout=&stderr=&tty=` and `/attach/<ns>/<pod>/<container>?...`, served as WebSocket upgrades with
// the v5 (or v4) channel protocol or as SPDY/3.1 (v4.channel.k8s.io, kubectl's fallback), and `/portForward/<ns>/<pod>`: SPDY/3.1 tunnelled in a WebSocket
// (subprotocol SPDY/3.1+portforward.k8s.io, kubectl 1.32's first try) or over a raw SPDY/3.1
// upgrade (its fallback). The apiserver checks the pod and container and proxies kubectl's
// upgrade here unchanged. Refusals are plain text with a status code, which the apiserver passes
// through (kubectl prints "unable to upgrade connection: <text>", as against a kubelet).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { LogNotFound } from '../log-server.js';
import { pickProtocol } from './channels.js';
import { attachSession, checkAttachable } from './attach.js';
import { checkExecutable, execSession, type StreamOptions } from './exec.js';
import { runSession, type StreamSession } from './session.js';
import { servePortForward, type PortForwardTarget } from './portforward.js';
import { SpdySession } from './spdy.js';
import { pickSpdyProtocol, runSpdySession, SPDY_REMOTECOMMAND_PROTOCOLS } from './spdy-remotecommand.js';
import type { ContainerTarget, TargetLocator } from './target.js';

export const PORT_FORWARD_WS_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';

/** The pod a port-forward reaches (throws LogNotFound when it does not run here). */
export type PodLocator = (namespace: string, pod: string) => PortForwardTarget;

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' };

function refuse(socket: Duplex, code: number, text: string): void {
  socket.on('error', () => {});
  socket.end(`HTTP/1.1 ${code} ${STATUS_TEXT[code] ?? 'Error'}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
}

const flag = (q: URLSearchParams, name: string) => q.get(name) === 'true' || q.get(name) === '1';

export function streamOptions(q: URLSearchParams): StreamOptions {
  return { stdin: flag(q, 'stdin'), stdout: flag(q, 'stdout'), stderr: flag(q, 'stderr'), tty: flag(q, 'tty') };
}

export interface StreamServer {
  /** Handles an upgrade request; false when the path is not a stream endpoint. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): void;
}

export function createStreamServer(locate: TargetLocator, pods?: PodLocator): StreamServer {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => pickProtocol(offered) ?? false });
  const tunnels = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => (offered.has(PORT_FORWARD_WS_PROTOCOL) ? PORT_FORWARD_WS_PROTOCOL : false) });
  const spdySessions = new Set<SpdySession>();
  const startPortForward = (conn: Duplex, target: PortForwardTarget) => {
    const session = new SpdySession(conn);
    spdySessions.add(session);
    session.on('close', () => spdySessions.delete(session));
    servePortForward(session, target);
  };
  const portForward = (req: IncomingMessage, socket: Duplex, head: Buffer, ns: string, pod: string) => {
    let target: PortForwardTarget;
    try {
      if (!pods) throw new LogNotFound('port-forward is not served by this node agent', 404);
      target = pods(ns, pod);
    } catch (e) {
      return refuse(socket, e instanceof LogNotFound ? e.code : 500, (e as Error).message);
    }
    const upgrade = (req.headers.upgrade ?? '').toLowerCase();
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (upgrade === 'websocket' && offered.includes(PORT_FORWARD_WS_PROTOCOL)) {
      tunnels.handleUpgrade(req, socket, head, (ws) => startPortForward(createWebSocketStream(ws), target));
    } else if (upgrade === 'spdy/3.1') {
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`);
      if (head.length) socket.unshift(head);
      startPortForward(socket, target);
    } else {
      refuse(socket, 400, `unable to upgrade: port-forward needs WebSocket (${PORT_FORWARD_WS_PROTOCOL}) or SPDY/3.1`);
    }
  };
  const sessions = new Set<StreamSession>();
  return {
    upgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://x');
      const pf = /^\/portForward\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (pf) {
        portForward(req, socket, head, decodeURIComponent(pf[1]), decodeURIComponent(pf[2]));
        return true;
      }
      const m = /^\/(exec|attach)\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (!m) return false;
      const [kind, ns, pod, container] = [m[1], ...m.slice(2).map(decodeURIComponent)];
      const opts = streamOptions(url.searchParams);
      if (!opts.stdin && !opts.stdout && !opts.stderr) {
        refuse(socket, 400, 'you must specify at least 1 of stdin, stdout, stderr');
        return true;
      }
      const command = url.searchParams.getAll('command');
      if (kind === 'exec' && command.length === 0) {
        refuse(socket, 400, 'you must specify at least one command for the container');
        return true;
      }
      let target: ContainerTarget;
      try {
        target = locate(ns, pod, container);
        if (kind === 'exec') checkExecutable(target);
        else checkAttachable(target);
      } catch (e) {
        refuse(socket, e instanceof LogNotFound ? e.code : 500, (e as Error).message);
        return true;
      }
      // Checked after the target, so that kubectl's SPDY retry of a refused WebSocket sees the same error.
      const upgrade = (req.headers.upgrade ?? '').toLowerCase();
      if (upgrade === 'spdy/3.1') {
        const chosen = pickSpdyProtocol(req.headers['x-stream-protocol-version']);
        if (!chosen) {
          refuse(socket, 403, `unable to upgrade: unable to negotiate protocol: client supports [${req.headers['x-stream-protocol-version'] ?? ''}], server supports [${SPDY_REMOTECOMMAND_PROTOCOLS.join(' ')}]`);
          return true;
        }
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${chosen}\r\n\r\n`);
        if (head.length) socket.unshift(head);
        const spdy = new SpdySession(socket);
        spdySessions.add(spdy);
        spdy.on('close', () => spdySessions.delete(spdy));
        runSpdySession(spdy, opts, () => (kind === 'exec' ? execSession(target, { ...opts, command }) : attachSession(target, opts)));
        return true;
      }
      if (upgrade !== 'websocket') {
        refuse(socket, 400, `unable to upgrade: ${kind} needs a WebSocket (v5.channel.k8s.io) or SPDY/3.1 upgrade`);
        return true;
      }
      const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
      const protocol = pickProtocol(offered);
      if (!protocol) {
        refuse(socket, 400, 'unable to upgrade: unsupported subprotocol, expected one of [v5.channel.k8s.io v4.channel.k8s.io]');
        return true;
      }
      let session: StreamSession;
      try {
        session = kind === 'exec' ? execSession(target, { ...opts, command }) : attachSession(target, opts);
      } catch (e) {
        refuse(socket, e instanceof LogNotFound ? e.code : 500, (e as Error).message);
        return true;
      }
      sessions.add(session);
      wss.handleUpgrade(req, socket, head, (ws) => {
        void runSession(ws, protocol, session).finally(() => sessions.delete(session));
      });
      return true;
    },
    close() {
      for (const s of sessions) s.abort();
      for (const s of spdySessions) s.close();
      wss.close();
      tunnels.close();
    },
  };
}
