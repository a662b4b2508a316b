// One probe check (httpGet, tcpSocket, exec), as the kubelet's prober runs them: HTTP 200-399 is
// success, a TCP connect is success, exec exit 0 is success. Returns a message on failure, worded
// like the kubelet's event texts.
import { request } from 'node:http';
import { connect as http2Connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Container, Probe } from 'kubernetes-types/core/v1.js';

export type ProbeResult = { ok: true } | { ok: false; message: string };

/** `output` is stdout and stderr together; `stderr` alone where the runner keeps it apart. */
export type ExecInSandbox = (argv: string[], timeoutMs: number) => Promise<{ exitCode: number; output: string; stderr?: string }>;

/** A named port looks up the container's ports (IntOrString). */
export function resolvePort(port: number | string | undefined, c: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

function httpGet(probe: NonNullable<Probe['httpGet']>, podIP: string, c: Container, timeoutMs: number): Promise<ProbeResult> {
  const port = resolvePort(probe.port, c);
  const host = probe.host || podIP;
  const scheme = (probe.scheme ?? 'HTTP').toLowerCase();
  const path = probe.path ?? '/';
  const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${path.startsWith('/') ? path : `/${path}`}`;
  if (port === undefined) return Promise.resolve({ ok: false, message: `Get "${url}": invalid port ${String(probe.port)}` });
  const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
  for (const h of probe.httpHeaders ?? []) headers[h.name] = h.value;
  return new Promise((resolve) => {
    const req = (scheme === 'https' ? httpsRequest : request)(url, { method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400 ? { ok: true } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` });
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ ok: false, message: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, message: `Get "${url}": dial tcp ${host}:${port}: connect: ${e.code === 'ECONNREFUSED' ? 'connection refused' : e.message}` }));
    req.end();
  });
}

function tcpSocket(probe: NonNullable<Probe['tcpSocket']>, podIP: string, c: Container, timeoutMs: number): Promise<ProbeResult> {
  const port = resolvePort(probe.port, c);
  const host = probe.host || podIP;
  if (port === undefined) return Promise.resolve({ ok: false, message: `dial tcp ${host}: invalid port ${String(probe.port)}` });
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: timeoutMs });
    s.on('connect', () => {
      s.destroy();
      resolve({ ok: true });
    });
    s.on('timeout', () => {
      s.destroy();
      resolve({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` });
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, message: `dial tcp ${host}:${port}: connect: ${e.code === 'ECONNREFUSED' ? 'connection refused' : e.message}` }));
  });
}

/** A protobuf string field (tag 1) for grpc.health.v1.HealthCheckRequest.service. */
function healthRequest(service: string): Buffer {
  const s = Buffer.from(service);
  const msg = s.length ? Buffer.concat([Buffer.from([0x0a, s.length]), s]) : Buffer.alloc(0);
  const frame = Buffer.alloc(5);
  frame.writeUInt32BE(msg.length, 1); // uncompressed, then the length
  return Buffer.concat([frame, msg]);
}

const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** grpc.health.v1.Health/Check over HTTP/2 without TLS, as the kubelet's gRPC probe. */
function grpcProbe(probe: NonNullable<Probe['grpc']>, podIP: string, timeoutMs: number): Promise<ProbeResult> {
  const target = `${podIP}:${probe.port}`;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.close();
      resolve(r);
    };
    const timer = setTimeout(() => done({ ok: false, message: `timeout: health rpc did not complete within ${timeoutMs / 1000}s` }), timeoutMs);
    const session = http2Connect(`http://${target}`);
    session.on('error', (e: NodeJS.ErrnoException) => done({ ok: false, message: `timeout: failed to connect service "${target}" within ${timeoutMs / 1000}s: ${e.code ?? e.message}` }));
    const req = session.request({ ':method': 'POST', ':path': '/grpc.health.v1.Health/Check', 'content-type': 'application/grpc', te: 'trailers' });
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('error', (e) => done({ ok: false, message: `rpc error: ${e.message}` }));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      // HealthCheckResponse: field 1 (varint) = status; absent = UNKNOWN.
      const msg = body.subarray(5);
      const status = msg.length >= 2 && msg[0] === 0x08 ? msg[1] : 0;
      done(status === 1 ? { ok: true } : { ok: false, message: `service unhealthy (responded with "${SERVING_STATUS[status] ?? status}")` });
    });
    req.end(healthRequest(probe.service ?? ''));
  });
}

export async function runProbe(probe: Probe, podIP: string, c: Container, exec: ExecInSandbox): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) return httpGet(probe.httpGet, podIP, c, timeoutMs);
  if (probe.tcpSocket) return tcpSocket(probe.tcpSocket, podIP, c, timeoutMs);
  if (probe.exec) {
    const r = await exec(probe.exec.command ?? [], timeoutMs);
    if (r.exitCode === 0) return { ok: true };
    return { ok: false, message: r.output.trim() || `command "${(probe.exec.command ?? []).join(' ')}" exited with ${r.exitCode}` };
  }
  if (probe.grpc) return grpcProbe(probe.grpc, podIP, timeoutMs);
  return { ok: false, message: 'the probe has no handler (httpGet, tcpSocket, exec or grpc)' };
}
