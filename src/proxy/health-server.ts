// Health-check node ports (kube-proxy's service health server): for every Service with
// externalTrafficPolicy Local and a healthCheckNodePort, an HTTP server on that port tells an
// external load balancer whether this node has a ready local endpoint. Any path answers; 200 when
// there is one (and the proxy is healthy), 503 otherwise, with kube-proxy's headers and JSON body.
import { createServer, type Server } from 'node:http';
import type { Logger } from '../util/log.js';
import type { ServicePortState } from './model.js';

export interface HealthTarget {
  readonly namespace: string;
  readonly name: string;
  readonly localEndpoints: number;
}

/** healthCheckNodePort → what it reports, from the desired state. */
export function healthTargets(state: readonly ServicePortState[], nodeName: string): Map<number, HealthTarget> {
  const out = new Map<number, HealthTarget>();
  for (const { svc, endpoints } of state) {
    if (!svc.externalTrafficLocal || !svc.healthCheckNodePort) continue;
    // kube-proxy counts ready endpoints on this node.
    const local = endpoints.filter((e) => e.ready && e.nodeName === nodeName).length;
    const prev = out.get(svc.healthCheckNodePort);
    out.set(svc.healthCheckNodePort, { namespace: svc.namespace, name: svc.name, localEndpoints: Math.max(local, prev?.localEndpoints ?? 0) });
  }
  return out;
}

export function healthBody(t: HealthTarget, proxyHealthy: boolean): string {
  // Tab-indented like Go's json.MarshalIndent(v, "", "\t"), which kube-proxy answers with.
  return JSON.stringify({ service: { namespace: t.namespace, name: t.name }, localEndpoints: t.localEndpoints, serviceProxyHealthy: proxyHealthy }, null, '\t');
}

export class HealthServers {
  private readonly servers = new Map<number, { server: Server; target: HealthTarget }>();

  constructor(
    private readonly bindAddress: string,
    private readonly log: Logger,
    private readonly proxyHealthy: () => boolean = () => true,
  ) {}

  /** Opens, updates and closes servers to match `targets`. Ports that cannot be bound are logged. */
  async sync(targets: ReadonlyMap<number, HealthTarget>): Promise<void> {
    for (const [port, s] of this.servers) {
      if (targets.has(port)) continue;
      this.servers.delete(port);
      await new Promise<void>((r) => s.server.close(() => r()));
    }
    for (const [port, target] of targets) {
      const have = this.servers.get(port);
      if (have) {
        have.target = target;
        continue;
      }
      const entry = { server: createServer(), target };
      entry.server.on('request', (_req, res) => {
        const t = entry.target;
        const ok = t.localEndpoints > 0 && this.proxyHealthy();
        const body = healthBody(t, this.proxyHealthy());
        res.writeHead(ok ? 200 : 503, {
          'Content-Type': 'application/json',
          'X-Content-Type-Options': 'nosniff',
          'X-Load-Balancing-Endpoint-Weight': String(t.localEndpoints),
          'Content-Length': Buffer.byteLength(body),
        });
        res.end(body);
      });
      try {
        await new Promise<void>((resolve, reject) => {
          entry.server.once('error', reject);
          entry.server.listen(port, this.bindAddress, () => resolve());
        });
        this.servers.set(port, entry);
      } catch (e) {
        this.log.error('cannot open the health check node port', { port, service: `${target.namespace}/${target.name}`, err: e });
      }
    }
  }

  ports(): number[] {
    return [...this.servers.keys()];
  }

  async close(): Promise<void> {
    await this.sync(new Map());
  }
}
