// Requests that ask to switch protocols (WebSocket / SPDY for exec, attach, port-forward) arrive on
// the server's 'upgrade' event, not as normal requests; without a listener Node drops the socket
// and kubectl reports a bare connection error. Until the node agent serves these streams, answer a
// plain HTTP Status instead, which kubectl prints.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { StatusError, pathNotFound, serviceUnavailable } from '../api/errors.js';
import { route } from './router.js';

const STREAMS = ['exec', 'attach', 'portforward', 'log', 'proxy'];

const REASONS: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 503: 'Service Unavailable' };

export function refuseUpgrade(req: IncomingMessage, socket: Duplex): number {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const r = route(url.pathname);
  let err: StatusError;
  if (r?.name && r.subresource && STREAMS.includes(r.subresource) && (r.res.subresources as string[]).includes(r.subresource)) {
    err = serviceUnavailable(`no node agent is serving ${r.res.plural}/${r.subresource} yet`);
  } else if (r) {
    err = new StatusError(400, 'BadRequest', `the server does not support protocol upgrades on ${url.pathname}`);
  } else {
    err = pathNotFound();
  }
  const body = JSON.stringify(err.toStatus()) + '\n';
  socket.on('error', () => {});
  socket.end(
    `HTTP/1.1 ${err.code} ${REASONS[err.code] ?? 'Error'}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
  return err.code;
}
