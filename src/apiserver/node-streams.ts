// pods/<name>/log, exec, attach and portforward, as kube-apiserver serves them: check the pod and container
// here, then forward the request to the node agent that runs the pod (the address and port its
// Node object reports: InternalIP and status.daemonEndpoints.kubeletEndpoint.Port) and stream its
// answer back — for the others the protocol upgrade itself (stream-proxy.ts). The apiserver
// never imports node code, so this works wherever the agent runs.
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { badRequest, StatusError, type StatusReason } from '../api/errors.js';
import type { Registry } from '../registry/index.js';
import type { StreamHandler } from './config.js';
import { writeError } from './respond.js';
import type { ResourceRoute } from './router.js';
import { proxyUpgrade, writeStatusOnSocket } from './stream-proxy.js';

const FORWARDED_PARAMS = ['follow', 'previous', 'tailLines', 'sinceSeconds', 'sinceTime', 'timestamps', 'limitBytes'];

const REASONS: Record<number, StatusReason> = { 400: 'BadRequest', 404: 'NotFound', 403: 'Forbidden', 500: 'InternalError', 503: 'ServiceUnavailable' } as Record<number, StatusReason>;

/** The container a log request names (pkg/registry/core/pod/strategy.go's LogLocation rules). */
export function logContainer(pod: Pod, asked: string | null): string {
  const name = pod.metadata?.name ?? '';
  const containers = (pod.spec?.containers ?? []).map((c) => c.name);
  const inits = (pod.spec?.initContainers ?? []).map((c) => c.name);
  const ephemeral = (pod.spec?.ephemeralContainers ?? []).map((c) => c.name);
  if (!asked) {
    if (containers.length === 1) return containers[0];
    let msg = `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`;
    if (inits.length) msg += ` or one of the init containers: [${inits.join(' ')}]`;
    if (ephemeral.length) msg += ` or one of the ephemeral containers: [${ephemeral.join(' ')}]`;
    throw badRequest(msg);
  }
  if (![...containers, ...inits, ...ephemeral].includes(asked)) throw badRequest(`container ${asked} is not valid for pod ${name}`);
  return asked;
}

export function nodeAgentAddress(node: Node): { host: string; port: number } | undefined {
  const ip = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  return ip && port ? { host: ip, port } : undefined;
}

/** The node agent running `pod`: 400 when it is not scheduled, 503 when its Node names no agent. */
async function podNodeAgent(registry: Registry, pod: Pod): Promise<{ host: string; port: number; nodeName: string }> {
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${pod.metadata?.name ?? ''} does not have a host assigned`);
  const node = (await registry.get('/nodes', undefined, nodeName)) as unknown as Node;
  const addr = nodeAgentAddress(node);
  if (!addr) throw new StatusError(503, 'ServiceUnavailable', `node ${nodeName} does not report a node agent endpoint`);
  return { ...addr, nodeName };
}

async function forwardLog(registry: Registry, req: IncomingMessage, res: ServerResponse, route: ResourceRoute): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const pod = (await registry.get('/pods', route.namespace, route.name ?? '')) as unknown as Pod;
  const container = logContainer(pod, url.searchParams.get('container'));
  const addr = await podNodeAgent(registry, pod);
  const nodeName = addr.nodeName;
  const q = new URLSearchParams();
  for (const p of FORWARDED_PARAMS) {
    const v = url.searchParams.get(p);
    if (v !== null) q.set(p, v);
  }
  const path = `/containerLogs/${encodeURIComponent(route.namespace ?? '')}/${encodeURIComponent(route.name ?? '')}/${encodeURIComponent(container)}?${q}`;
  await new Promise<void>((resolve, reject) => {
    const up = request({ host: addr.host, port: addr.port, path, method: 'GET' }, (upRes) => {
      const code = upRes.statusCode ?? 500;
      if (code < 200 || code > 299) {
        // The agent's error text becomes the Status message, as kube-apiserver's response checker does.
        let body = '';
        upRes.setEncoding('utf8').on('data', (d: string) => (body += d));
        upRes.on('end', () => reject(new StatusError(code, REASONS[code] ?? 'InternalError', body.trim() || `node agent answered ${code}`)));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
      upRes.pipe(res);
      upRes.on('end', resolve);
      upRes.on('error', reject);
    });
    up.on('error', (e) => reject(new StatusError(503, 'ServiceUnavailable', `cannot reach the node agent of ${nodeName} at ${addr.host}:${addr.port}: ${e.message}`)));
    // The client went away (e.g. Ctrl-C on `kubectl logs -f`): stop following.
    res.on('close', () => up.destroy());
    up.end();
  });
}

/** Query parameters the agent's /exec, /attach and /portForward read (a container goes into the path). */
const STREAM_PARAMS = ['command', 'stdin', 'stdout', 'stderr', 'tty', 'ports'];
const UPGRADED = ['exec', 'attach', 'portforward'];

/** Where an exec/attach/portforward goes: the pod's node agent and the kubelet-style path there. */
async function streamTarget(registry: Registry, req: IncomingMessage, route: ResourceRoute): Promise<{ host: string; port: number; path: string; nodeName: string }> {
  const url = new URL(req.url ?? '/', 'http://x');
  const pod = (await registry.get('/pods', route.namespace, route.name ?? '')) as unknown as Pod;
  // Port-forward names no container (PortForwardLocation); exec and attach default and check one.
  const forward = route.subresource === 'portforward';
  const container = forward ? '' : logContainer(pod, url.searchParams.get('container'));
  const addr = await podNodeAgent(registry, pod);
  const q = new URLSearchParams();
  for (const p of STREAM_PARAMS) for (const v of url.searchParams.getAll(p)) q.append(p, v);
  const podPath = `${encodeURIComponent(route.namespace ?? '')}/${encodeURIComponent(route.name ?? '')}`;
  const path = forward ? `/portForward/${podPath}?${q}` : `/${route.subresource}/${podPath}/${encodeURIComponent(container)}?${q}`;
  return { ...addr, path };
}

/** The default StreamHandler: pods/log, exec, attach and portforward forwarded to the node agent. */
export function nodeStreams(registry: Promise<Registry> | Registry): StreamHandler {
  return {
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, route: ResourceRoute) {
      if (route.res.plural !== 'pods' || !route.name || !UPGRADED.includes(route.subresource ?? '')) return false;
      void (async () => {
        try {
          const t = await streamTarget(await registry, req, route);
          proxyUpgrade(req, socket, head, t, (e) => new StatusError(503, 'ServiceUnavailable', `cannot reach the node agent of ${t.nodeName} at ${t.host}:${t.port}: ${e.message}`));
        } catch (e) {
          writeStatusOnSocket(socket, e instanceof StatusError ? e : new StatusError(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`));
        }
      })();
      return true;
    },
    request(req, res, route) {
      // Without an Upgrade header, kube-apiserver's upgrade-aware proxy refuses these streams.
      if (route.res.plural === 'pods' && UPGRADED.includes(route.subresource ?? '')) {
        writeError(res, badRequest('Upgrade request required'));
        return true;
      }
      if (route.res.plural !== 'pods' || route.subresource !== 'log') return false;
      void (async () => {
        try {
          await forwardLog(await registry, req, res, route);
        } catch (e) {
          if (!res.headersSent) writeError(res, e);
          else res.destroy();
        }
      })();
      return true;
    },
  };
}
