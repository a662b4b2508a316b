// Container lifecycle hooks (postStart, preStop) as the kubelet's handler runner runs them: exec
// runs the command in the container's sandbox and fails on a non-zero exit; httpGet fails only when
// the request itself fails (the status code does not matter). A failure is returned as the
// kubelet's event message; the caller records FailedPostStartHook / FailedPreStopHook with it.
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Container, LifecycleHandler } from 'kubernetes-types/core/v1.js';
import { resolvePort, type ExecInSandbox } from './probe.js';

/** `name_namespace(uid)`, the kubelet's format.Pod. */
export type PodRef = string;

function httpHook(h: NonNullable<LifecycleHandler['httpGet']>, podIP: string, c: Container, timeoutMs: number): Promise<string | undefined> {
  const port = resolvePort(h.port, c);
  const host = h.host || podIP;
  const scheme = (h.scheme ?? 'HTTP').toLowerCase();
  const path = h.path ?? '';
  const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${path.startsWith('/') ? path : `/${path}`}`;
  if (port === undefined) return Promise.resolve(`invalid port ${String(h.port)}`);
  const headers: Record<string, string> = { 'User-Agent': 'kube-lifecycle/1.32', Accept: '*/*' };
  for (const x of h.httpHeaders ?? []) headers[x.name] = x.value;
  return new Promise((resolve) => {
    const req = (scheme === 'https' ? httpsRequest : request)(url, { method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(undefined));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(`Get "${url}": context deadline exceeded`);
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(`Get "${url}": dial tcp ${host}:${port}: connect: ${e.code === 'ECONNREFUSED' ? 'connection refused' : e.message}`));
    req.end();
  });
}

/**
 * Runs one hook handler. Resolves to undefined on success, else to the kubelet's message:
 * `Exec lifecycle hook ([cmd]) for Container "c" in Pod "p_ns(uid)" failed - error: ..., message: "..."`
 * or `HTTP lifecycle hook (/path) for Container ... failed - error: ...`.
 */
export async function runHook(h: LifecycleHandler, c: Container, pod: PodRef, podIP: string, exec: ExecInSandbox, timeoutMs: number): Promise<string | undefined> {
  if (h.exec) {
    const cmd = h.exec.command ?? [];
    const r = await exec(cmd, timeoutMs);
    if (r.exitCode === 0) return undefined;
    const err = `command '${cmd.join(' ')}' exited with ${r.exitCode}: ${r.stderr ?? ''}`;
    return `Exec lifecycle hook ([${cmd.join(' ')}]) for Container ${JSON.stringify(c.name)} in Pod ${JSON.stringify(pod)} failed - error: ${err}, message: ${JSON.stringify(r.output)}`;
  }
  if (h.httpGet) {
    const err = await httpHook(h.httpGet, podIP, c, timeoutMs);
    return err === undefined ? undefined : `HTTP lifecycle hook (${h.httpGet.path ?? ''}) for Container ${JSON.stringify(c.name)} in Pod ${JSON.stringify(pod)} failed - error: ${err}`;
  }
  if (h.sleep) {
    await new Promise((r) => setTimeout(r, Math.min(h.sleep!.seconds * 1000, timeoutMs)));
    return undefined;
  }
  return 'Cannot run handler: invalid handler';
}
