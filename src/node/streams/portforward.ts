// `kubectl port-forward` (protocol portforward.k8s.io over SPDY/3.1): for each local connection
// the client opens an error stream and a data stream sharing a `requestid` and naming the pod
// `port`; we connect to that port and copy bytes both ways. When the pod's side ends we close
// both streams (client-go waits for the error stream to end); a failed connect writes the
// kubelet's "error forwarding port ..." text on the error stream, which kubectl prints.
// The kubelet connects to localhost inside the pod's network namespace; Node cannot enter a
// namespace, so we connect to the pod's IP from the node — the same for any server listening on
// all addresses, not for one bound to the pod's 127.0.0.1 only (README).
import { connect } from 'node:net';
import type { SpdySession, SpdyStream } from './spdy.js';

export interface PortForwardTarget {
  /** `<name>_<namespace>`, as the kubelet names the pod in its error text. */
  podFullName: string;
  uid: string;
  podIP: string;
}

export function servePortForward(session: SpdySession, target: PortForwardTarget): void {
  const errorStreams = new Map<string, SpdyStream>();
  session.on('stream', (s: SpdyStream) => {
    const requestID = s.headers.requestid ?? '';
    if (s.headers.streamtype === 'error') {
      errorStreams.set(requestID, s);
      return;
    }
    if (s.headers.streamtype !== 'data') {
      s.end();
      return;
    }
    const errorStream = errorStreams.get(requestID);
    errorStreams.delete(requestID);
    const port = Number(s.headers.port);
    const finish = () => {
      s.end();
      errorStream?.end();
    };
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      errorStream?.write(Buffer.from(`error forwarding port ${s.headers.port} to pod ${target.podFullName}, uid ${target.uid}: invalid port`));
      return finish();
    }
    const sock = connect({ host: target.podIP, port });
    let connected = false;
    sock.on('connect', () => (connected = true));
    sock.on('data', (d: Buffer) => s.write(d));
    sock.on('end', finish);
    sock.on('error', (e) => {
      if (!connected) errorStream?.write(Buffer.from(`error forwarding port ${port} to pod ${target.podFullName}, uid ${target.uid}: failed to connect to ${target.podIP}:${port} inside the pod's network namespace: ${e.message}`));
      finish();
    });
    sock.on('close', finish);
    s.on('data', (d: Buffer) => sock.write(d));
    s.on('end', () => sock.end());
    s.on('reset', () => sock.destroy());
  });
}
