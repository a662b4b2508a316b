// Proxying a protocol upgrade (exec, attach, port-forward) to the node agent, as kube-apiserver's
// upgrade-aware proxy does to the kubelet: the client's request goes to the agent with a new path
// and the client's headers, then bytes flow both ways untouched — the 101 and the WebSocket frames,
// or the agent's refusal (whose text kubectl prints as "unable to upgrade connection: ...").
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { StatusError } from '../api/errors.js';

const HOP_BY_HOP = new Set(['host', 'content-length', 'transfer-encoding']);

/** The request head sent to the agent: method, new path, the client's headers (Host rewritten). */
export function upstreamHead(req: IncomingMessage, host: string, port: number, path: string): string {
  const lines = [`${req.method ?? 'GET'} ${path} HTTP/1.1`, `Host: ${host}:${port}`];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i].toLowerCase())) lines.push(`${raw[i]}: ${raw[i + 1]}`);
  lines.push('Content-Length: 0');
  return lines.join('\r\n') + '\r\n\r\n';
}

/** Writes a Status as a plain HTTP response on a socket that has not been upgraded. */
export function writeStatusOnSocket(socket: Duplex, err: StatusError): void {
  const body = JSON.stringify(err.toStatus()) + '\n';
  const texts: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 500: 'Internal Server Error', 503: 'Service Unavailable' };
  socket.on('error', () => {});
  socket.end(`HTTP/1.1 ${err.code} ${texts[err.code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

export function proxyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: { host: string; port: number; path: string }, unreachable: (e: Error) => StatusError): void {
  const up = connect({ host: target.host, port: target.port });
  let connected = false;
  up.on('connect', () => {
    connected = true;
    up.write(upstreamHead(req, target.host, target.port, target.path));
    if (head.length) up.write(head);
    up.pipe(socket);
    socket.pipe(up);
  });
  up.on('error', (e) => {
    if (!connected) writeStatusOnSocket(socket, unreachable(e));
    else socket.destroy();
  });
  socket.on('error', () => up.destroy());
  socket.on('close', () => up.destroy());
  up.on('close', () => socket.destroy());
}
