// `kubesvc up`: open the store, start the API server, wait until it is ready, then write the
// kubeconfig and serve until SIGINT/SIGTERM. Components are wired with explicit readiness
// (habit 7): the kubeconfig appears only once the API answers, and a component that dies takes
// the process down with a logged error and a non-zero exit code.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApiServer, ApiServerConfig } from '../apiserver/config.js';
import type { Store } from '../store/types.js';
import { kubeDnsClusterIP } from '../dns/presence.js';
import type { Logger } from '../util/log.js';
import { startCompactor } from './compactor.js';
import { type DataDirLock, lockDataDir } from './data-dir-lock.js';
import { renderKubeconfig, serverURL, writeFileAtomic } from './kubeconfig.js';
import type { StoreChoice, UpConfig } from './up-config.js';
import { EXIT_FAILURE, EXIT_OK } from './usage-error.js';

/** The components `up` wires together (injected so the wiring can be unit-tested). */
export interface UpDeps {
  openStore(choice: StoreChoice): Promise<Store>;
  createApiServer(config: ApiServerConfig): ApiServer;
  logger: Logger;
  /** Where the "how to use it" text goes (stdout). */
  print(text: string): void;
  /** Calls `handler` once on SIGINT or SIGTERM; returns an unsubscribe function. */
  onStopSignal(handler: (signal: string) => void): () => void;
  /** How long a clean shutdown may take (default 15 s). */
  shutdownTimeoutMs?: number;
  /** Starts the controller manager against the running API server (only called when controllers are enabled). */
  startControllers(api: ApiServer, controllers: string[], logger: Logger): RunningComponent;
  /** Starts the node agent (only called when config.node.agent); its stop ends the pods too. */
  startNodeAgent?(api: ApiServer, config: UpConfig, logger: Logger): RunningComponent;
  /** Starts the service proxy (only called when config.proxy.mode is not "none"); ready after its first sync. */
  startProxy?(api: ApiServer, config: UpConfig, logger: Logger): RunningComponent;
  /** Makes the listening API server reachable from elsewhere (the host relay of --isolated); returns its closer. */
  exposeApi?(port: number): Promise<() => Promise<void>>;
  /** True when the host's kubectl reaches the isolated cluster through exposeApi and the host relay. */
  apiOnHost?: boolean;
  /** Starts cluster DNS (src/dns); ready once its caches have synced and it listens. */
  startDns?(api: ApiServer, config: UpConfig, logger: Logger): RunningComponent & { addresses(): { host: string; port: number }[] };
}

/** A component with a readiness promise and a stop. */
export interface RunningComponent {
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** How long a clean shutdown may take before we give up and exit non-zero. */
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 15_000;

export function kubeconfigPath(config: UpConfig): string {
  return join(config.dataDir, 'kubeconfig');
}

export async function runUp(config: UpConfig, deps: UpDeps): Promise<number> {
  const log = deps.logger;
  let lock: DataDirLock;
  try {
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    lock = await lockDataDir(config.dataDir);
  } catch (e) {
    log.error('cannot use the data dir', { dir: config.dataDir, err: e });
    return EXIT_FAILURE;
  }

  let store: Store;
  try {
    store = await deps.openStore(config.store);
  } catch (e) {
    log.error('cannot open the store', { backend: config.store.backend, err: e });
    await lock.release();
    return EXIT_FAILURE;
  }

  let api: ApiServer | undefined;
  let controllers: RunningComponent | undefined;
  let nodeAgent: RunningComponent | undefined;
  let proxy: RunningComponent | undefined;
  let dns: (RunningComponent & { addresses(): { host: string; port: number }[] }) | undefined;
  const compactor = startCompactor(store, config.compactionIntervalMs, log.with({ component: 'compactor' }));
  let unexpose: (() => Promise<void>) | undefined;
  let stopping = false;
  // Settles with the exit code once the process should end (a signal, or a component died).
  let finish!: (code: number) => void;
  const finished = new Promise<number>((r) => (finish = r));
  let failed = false;
  const fail = (what: string, err: unknown) => {
    if (stopping || failed) return;
    failed = true;
    log.error(`${what}; shutting down`, { err });
    finish(EXIT_FAILURE);
  };
  const unsubscribe = deps.onStopSignal((signal) => {
    log.info('shutting down', { signal });
    finish(EXIT_OK);
  });

  try {
    api = deps.createApiServer({
      store,
      logger: log.with({ component: 'apiserver' }),
      registryConfig: config.registry,
      advertiseAddress: advertiseAddress(config.listen.host),
      advertisePort: config.listen.port || undefined,
    });
    api.server.on('error', (e) => fail('the API server failed', e));
    api.server.on('close', () => fail('the API server stopped unexpectedly', new Error('server closed')));
    await api.listen(config.listen.host, config.listen.port);
    unexpose = await deps.exposeApi?.(api.port());
    const startup = await Promise.race([api.ready.then(() => 'ready' as const), finished]);
    if (startup !== 'ready') return await shutdown(startup);
    if (config.controllers.length > 0) {
      // Controllers act only once their informers have synced; the cluster is ready after that.
      controllers = deps.startControllers(api, config.controllers, log.with({ component: 'controller-manager' }));
      const synced = await Promise.race([controllers.ready.then(() => 'ready' as const), finished]);
      if (synced !== 'ready') return await shutdown(synced);
    }
    if (deps.startDns) {
      // Pods find Services by name from their first lookup: DNS answers before the cluster is announced.
      dns = deps.startDns(api, config, log.with({ component: 'dns' }));
      const answering = await Promise.race([dns.ready.then(() => 'ready' as const), finished]);
      if (answering !== 'ready') return await shutdown(answering);
    }
    if (config.node.agent && deps.startNodeAgent) {
      // The Node is registered (Ready or saying why not) before the cluster is announced.
      nodeAgent = deps.startNodeAgent(api, config, log.with({ component: 'node-agent' }));
      const registered = await Promise.race([nodeAgent.ready.then(() => 'ready' as const), finished]);
      if (registered !== 'ready') return await shutdown(registered);
    }
    if (config.proxy.mode !== 'none' && deps.startProxy) {
      // Rules for every Service listed at start are live before the cluster is announced.
      proxy = deps.startProxy(api, config, log.with({ component: 'proxy' }));
      const programmed = await Promise.race([proxy.ready.then(() => 'ready' as const), finished]);
      if (programmed !== 'ready') return await shutdown(programmed);
    }

    const url = serverURL({ host: config.listen.host, port: api.port() });
    const kubeconfig = kubeconfigPath(config);
    await writeFileAtomic(kubeconfig, renderKubeconfig(url));
    log.info('kubesvc is ready', { server: url, kubeconfig, store: config.store.backend });
    deps.print(readyText(url, kubeconfig, config, dns?.addresses()[0], dns?.addresses()[1], deps.apiOnHost === true));
  } catch (e) {
    fail('start-up failed', e);
  }
  return await shutdown(await finished);

  async function shutdown(code: number): Promise<number> {
    stopping = true;
    unsubscribe();
    compactor.stop();
    // A close that hangs must not keep a stopped kubesvc around: give up, report, exit non-zero
    // (main exits the process, which ends whatever still hangs).
    const timeoutMs = deps.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<number>((r) => {
      timer = setTimeout(() => {
        log.error('shutdown did not finish in time; exiting', { timeoutMs });
        r(EXIT_FAILURE);
      }, timeoutMs);
    });
    const result = await Promise.race([closeAll(code), timeout]);
    clearTimeout(timer);
    if (result === EXIT_OK) log.info('stopped');
    return result;
  }

  async function closeAll(code: number): Promise<number> {
    let result = code;
    try {
      // The proxy's rules go before the node's network (the node agent) does.
      await proxy?.stop();
    } catch (e) {
      log.error('stopping the proxy failed', { err: e });
      result = EXIT_FAILURE;
    }
    try {
      await nodeAgent?.stop();
    } catch (e) {
      log.error('stopping the node agent failed', { err: e });
      result = EXIT_FAILURE;
    }
    try {
      await dns?.stop();
    } catch (e) {
      log.error('stopping cluster DNS failed', { err: e });
      result = EXIT_FAILURE;
    }
    try {
      await controllers?.stop();
    } catch (e) {
      log.error('stopping the controllers failed', { err: e });
      result = EXIT_FAILURE;
    }
    await unexpose?.().catch((e: unknown) => log.warn('closing the API relay failed', { err: e }));
    try {
      if (api?.server.listening) await api.close();
    } catch (e) {
      log.error('closing the API server failed', { err: e });
      result = EXIT_FAILURE;
    }
    try {
      await store.close();
    } catch (e) {
      log.error('closing the store failed', { err: e });
      result = EXIT_FAILURE;
    }
    await lock.release().catch((e: unknown) => log.warn('cannot remove the data dir lock', { err: e }));
    return result;
  }
}

/** The address other components (and the `kubernetes` Endpoints) should use to reach us. */
function advertiseAddress(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

function readyText(url: string, kubeconfig: string, config: UpConfig, dns: { host: string; port: number } | undefined, inCluster: { host: string; port: number } | undefined, apiOnHost: boolean): string {
  const where = config.store.backend === 'embedded' ? ` in ${config.store.dir}` : config.store.backend === 'memory' ? ' (in memory: nothing survives a restart)' : '';
  // The second listener, when there is one, is the node address pods reach through the kube-dns Service.
  const podsLine = inCluster ? `Pods use it through the kube-dns Service (${kubeDnsClusterIP(config.registry.serviceCIDR)}:53), served on the node address ${inCluster.host}:${inCluster.port}.\n` : '';
  const dnsLine = dns ? `\nCluster DNS (${config.dns.clusterDomain}) at ${dns.host.includes(':') ? `[${dns.host}]` : dns.host}:${dns.port}, e.g. ${config.node.isolated ? `kubesvc exec --data-dir ${config.dataDir} -- ` : ''}dig @${dns.host} -p ${dns.port} kubernetes.default.svc.${config.dns.clusterDomain}\n${podsLine}` : '';
  return `kubesvc is running: API server at ${url}, store ${config.store.backend}${where}.
${dnsLine}
${
    config.node.isolated
      ? `The cluster runs in its own network namespace.${
          apiOnHost
            ? ` kubectl on this host reaches its API server:
  export KUBECONFIG=${kubeconfig}
  kubectl get pods -o wide
Cluster addresses (pod IPs, ClusterIPs, NodePorts) are reachable only inside; run commands there with kubesvc exec:`
            : ' Run commands inside it with kubesvc exec:'
        }
  kubesvc exec --data-dir ${config.dataDir} -- kubectl get pods -o wide
  kubesvc exec --data-dir ${config.dataDir} -- curl http://<cluster-ip>/`
      : `To use it with kubectl:
  export KUBECONFIG=${kubeconfig}
  kubectl get namespaces`
  }

Press Ctrl-C to stop.
`;
}
