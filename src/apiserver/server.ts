// createApiServer: the HTTP server, its request pipeline (health, version, discovery, OpenAPI,
// resources), start-up (registry, bootstrap, namespace lifecycle) and shutdown.
import { nodeStreams } from './node-streams.js';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { pathNotFound } from '../api/errors.js';
import { bootstrap } from '../registry/bootstrap.js';
import { createRegistry, type Registry } from '../registry/index.js';
import { startNamespaceLifecycle, type NamespaceLifecycle } from '../registry/namespace-lifecycle.js';
import type { ApiServer, ApiServerConfig } from './config.js';
import { DEFAULT_MAX_REQUEST_BYTES } from './config.js';
import { handleDiscovery } from './discovery.js';
import { handleResource } from './handlers.js';
import { handleOpenApi } from './openapi.js';
import { createMetrics, verbOf } from './metrics.js';
import { deferredRegistry } from './deferred-registry.js';
import { writeError, writeJson, writeText } from './respond.js';
import { route } from './router.js';
import { refuseUpgrade } from './upgrade.js';
import { VERSION_INFO } from './version.js';


/** The route of each request, for the metrics written after it finished. */
const routed = new WeakMap<IncomingMessage, ReturnType<typeof route> & object>();

export function createApiServer(config: ApiServerConfig): ApiServer {
  const log = config.logger;
  const maxRequestBytes = config.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  const openWatches = new Set<() => void>();
  const metrics = createMetrics();
  let isReady = false;
  let lifecycle: NamespaceLifecycle | undefined;
  let closing = false;
  let reconcileTimer: NodeJS.Timeout | undefined;
  /** Runs the bootstrap again (set once the first run started). */
  let rebootstrap: (() => Promise<void>) | undefined;
  // Set once the node's address is known (after start-up): what the `kubernetes` Endpoints name.
  let advertised: { address: string; port: number } | undefined;
  const extraListeners = new Set<NetServer>();

  const registryPromise: Promise<Registry> = createRegistry({
    store: config.store,
    logger: log,
    config: config.registryConfig,
    strategies: config.strategies,
    now: config.now,
  });
  // pods/log goes to the node agent that runs the pod (unless a test plugs in its own handler).
  const logStreams = nodeStreams(registryPromise);
  const ready = (async () => {
    const registry = await registryPromise;
    if (!config.skipBootstrap) {
      // Runs never overlap: two at once could both miss an object, and the loser of the create
      // race would skip its correction (the bound port).
      let last: Promise<void> = Promise.resolve();
      const run = () => {
        const next = last.then(() =>
          bootstrap({
            registry,
            config: config.registryConfig,
            logger: log,
            advertiseAddress: advertised?.address ?? config.advertiseAddress ?? '127.0.0.1',
            // Without a configured port, the one we listen on (once bound), else the conventional 6443.
            advertisePort: advertised?.port ?? config.advertisePort ?? (server.listening ? (server.address() as AddressInfo).port : 6443),
          }),
        );
        last = next.catch(() => {});
        return next;
      };
      rebootstrap = () => run().catch((e: unknown) => log.warn('re-creating the bootstrap objects failed', { err: e }));
      await run();
      // As kube-apiserver's controllers do, put back what someone deleted (the `kubernetes`
      // Service, its endpoints, a system namespace) instead of leaving the cluster broken.
      if (!closing) {
        reconcileTimer = setInterval(() => void rebootstrap?.(), config.bootstrapIntervalMs ?? 10_000);
        reconcileTimer.unref();
      }
    }
    lifecycle = await startNamespaceLifecycle({
      namespaces: registry.for('/namespaces'),
      registryFor: (res) => registry.for(res),
      logger: log,
    });
    if (closing) lifecycle.stop();
    isReady = true;
    log.info('apiserver ready');
  })();
  // Start-up failures surface through `ready` (the CLI awaits it); log them here too, and keep an
  // unobserved rejection from crashing the process before anyone awaited.
  ready.catch((e: unknown) => log.error('apiserver start-up failed', { err: e }));

  async function serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<number> {
    const path = url.pathname;
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (path === '/healthz' || path === '/livez') return (writeText(res, 200, 'ok'), 200);
      if (path === '/readyz') {
        if (isReady) return (writeText(res, 200, 'ok'), 200);
        writeText(res, 500, '[-]poststarthook/kubesvc-bootstrap failed: not finished\nreadyz check failed\n');
        return 500;
      }
      if (path === '/version' || path === '/version/') return (writeJson(res, 200, VERSION_INFO), 200);
      if (path === '/metrics') {
        const text = await metrics.registry.metrics();
        res.writeHead(200, { 'Content-Type': metrics.registry.contentType, 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
        return 200;
      }
      if (handleDiscovery(req, res, url) || handleOpenApi(req, res, url)) return res.statusCode;
    }
    const r = route(path);
    if (!r) throw pathNotFound();
    routed.set(req, r);
    const registry = await registryPromise;
    return handleResource({
      req,
      res,
      url,
      route: r,
      registry,
      logger: log,
      maxRequestBytes,
      streams: config.streams ?? logStreams,
      track(stop) {
        openWatches.add(stop);
        const done = metrics.watchStarted(r);
        return () => {
          done();
          openWatches.delete(stop);
        };
      },
    });
  }

  const server = createServer((req, res) => {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    serve(req, res, url)
      .catch((e: unknown) => {
        const code = writeError(res, e);
        if (code >= 500) log.error('request failed', { method: req.method, path: url.pathname, code, err: e });
        return code;
      })
      .then((code) => {
        const r = routed.get(req);
        const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
        if (r) metrics.observe(verbOf(req.method ?? 'GET', r, watch), r, code, (Date.now() - started) / 1000);
        log.debug('request', { method: req.method, path: url.pathname, query: url.search || undefined, code, ms: Date.now() - started });
      })
      .catch(() => {});
  });

  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    const r = route(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (r && (config.streams ?? logStreams).upgrade?.(req, socket, head, r)) return;
    const code = refuseUpgrade(req, socket);
    log.debug('upgrade refused', { path: req.url, code });
  });

  return {
    server,
    ready,
    registry: deferredRegistry(registryPromise),
    listen(host, port) {
      return new Promise((resolve, reject) => {
        const onError = (e: Error) => reject(e);
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          // The kubernetes Endpoints name the bound port: correct a run that came before binding.
          if (config.advertisePort === undefined) void rebootstrap?.();
          resolve();
        });
      });
    },
    port() {
      const a = server.address() as AddressInfo | null;
      return a?.port ?? 0;
    },
    async listenAlso(host, port) {
      // The same HTTP server behind a second address: its connections are handed to it whole, upgrades included.
      const extra = createNetServer((socket) => server.emit('connection', socket));
      await new Promise<void>((resolve, reject) => {
        extra.once('error', reject);
        extra.listen(port, host, () => {
          extra.off('error', reject);
          resolve();
        });
      });
      extraListeners.add(extra);
    },
    async advertise(address, port) {
      advertised = { address, port };
      await rebootstrap?.();
    },
    async close() {
      closing = true;
      if (reconcileTimer) clearInterval(reconcileTimer);
      lifecycle?.stop();
      for (const stop of [...openWatches]) stop();
      for (const extra of extraListeners) extra.close();
      extraListeners.clear();
      await new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
