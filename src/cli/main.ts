// Entry point of the `kubesvc` command (bin/kubesvc imports the compiled form of this file).
// The only place that touches process.argv, the environment, signals and the exit code.
import { createApiServer } from '../apiserver/index.js';
import { createClient, inProcessTransport } from '../client/index.js';
import { createProxy } from '../proxy/index.js';
import { upProxyConfig } from '../proxy/up-options.js';
import { startControllers } from '../controllers/index.js';
import { registryBinder } from '../controllers/scheduler-binding.js';
import { openStore } from '../store/index.js';
import { createLogger } from '../util/log.js';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createNodeAgent } from '../node/agent.js';
import { kubeDnsClusterIP } from '../dns/presence.js';
import { hostRunner } from '../node/exec.js';
import { readFileSync } from 'node:fs';
import { startClusterDns } from '../dns/cluster-dns.js';
import { upstreamsFromResolvConf } from '../dns/index.js';
import type { ApiServer } from '../apiserver/config.js';
import { keepMirrorPods, mirrorLogFile, mirrorLogSink, type MirrorPodKeeper } from '../node/mirror-pod.js';
import { kubeProxyMirrorSpec } from './mirror-pods.js';
import { resolveNodeAddress, type NodeAddress } from './node-address.js';
import { runCli } from './commands.js';
import { runExec } from './exec.js';
import { listenUnixToTcp } from './host-relay.js';
import { hostRelayActive, insideIsolatedNetns, isolatedApiPort, isolatedApiSocket, prepareIsolatedNetns, runIsolated } from './isolated.js';
import { runUp } from './up.js';
import { EXIT_FAILURE } from './usage-error.js';

// A crash anywhere is loud and ends the process: never keep serving half-dead.
process.on('uncaughtException', (e) => {
  process.stderr.write(`kubesvc: fatal: ${e.stack ?? String(e)}\n`);
  process.exit(EXIT_FAILURE);
});
process.on('unhandledRejection', (e) => {
  process.stderr.write(`kubesvc: fatal: unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(EXIT_FAILURE);
});

const code = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  exec: runExec,
  up: async (given) => {
    // --isolated: run this same command again inside a new network namespace (see isolated.ts),
    // with the host's --listen address relayed to the API server inside.
    if (given.node.isolated && !insideIsolatedNetns()) {
      await mkdir(given.dataDir, { recursive: true, mode: 0o700 });
      return runIsolated(process.argv, { listen: given.listen, socket: isolatedApiSocket(given.dataDir), warn: (m) => process.stderr.write(`kubesvc: ${m}\n`) });
    }
    const config = given.node.isolated ? { ...given, listen: { ...given.listen, port: isolatedApiPort(given.listen.port) } } : given;
    let leaveNetns: (() => Promise<void>) | undefined;
    if (config.node.isolated) {
      await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
      leaveNetns = await prepareIsolatedNetns(config.dataDir, hostRunner);
    }
    const logger = createLogger({ level: config.logLevel });
    try {
      return await runUpWired(config, logger);
    } finally {
      await leaveNetns?.();
    }
  },
});
// Exit explicitly: a lingering handle (a client's keep-alive socket) must not keep us alive after a clean stop.
process.exit(code);

function runUpWired(config: Parameters<typeof runUp>[0], logger: ReturnType<typeof createLogger>): Promise<number> {
  const nodeDir = join(config.dataDir, 'node');
  // The node's address is settled once, by whichever component asks first (DNS, before the agent
  // starts pods): undefined when no node agent runs or the node has only loopback to offer.
  let settled: Promise<NodeAddress | undefined> | undefined;
  const nodeAddress = (api: ApiServer): Promise<NodeAddress | undefined> =>
    (settled ??= (async () => {
      if (!config.node.agent) return undefined;
      const client = createClient(inProcessTransport(api.registry));
      try {
        const addr = await resolveNodeAddress({ client, nodeName: config.node.name, nodeIP: config.node.nodeIP, podCIDR: config.node.podCIDR, listenHost: config.listen.host, isolated: config.node.isolated, run: hostRunner });
        logger.info('node address', { component: 'kubesvc', ip: addr.ip, source: addr.source, podCIDR: addr.podCIDR });
        return addr;
      } catch (e) {
        if (config.node.nodeIP) throw e;
        // A host that cannot run pods (no root, no ip) still gets its API, controllers and DNS.
        logger.warn('no node address pods can reach: cluster DNS has no in-cluster endpoint', { component: 'kubesvc', err: e });
        return undefined;
      } finally {
        client.close();
      }
    })());
  /** A component's logger that also appends to its mirror pod's log (what `kubectl logs` shows). */
  const componentLogger = (component: string, file: string) => {
    const out = mirrorLogSink(file);
    const sink = (line: string) => {
      process.stderr.write(line + '\n');
      out.sink(line);
    };
    return { logger: createLogger({ level: config.logLevel, sink, fields: { component } }), close: out.close };
  };
  return runUp(config, {
    openStore: (choice) => openStore(choice, { logger: logger.with({ component: 'store' }) }),
    createApiServer,
    logger: logger.with({ component: 'kubesvc' }),
    print: (t) => process.stdout.write(t),
    // Inside --isolated, the data dir's socket leads to the API server (the host side relays to it).
    exposeApi: config.node.isolated
      ? async (port) => {
          const host = config.listen.host === '0.0.0.0' ? '127.0.0.1' : config.listen.host === '::' ? '::1' : config.listen.host;
          const relay = await listenUnixToTcp(isolatedApiSocket(config.dataDir), { host, port });
          return () => relay.close();
        }
      : undefined,
    apiOnHost: config.node.isolated && hostRelayActive(),
    startControllers: (api, controllers, log) => {
      // In-process transport: the controllers run in the API server's process, through the same API.
      const client = createClient(inProcessTransport(api.registry));
      const running = startControllers({ client, logger: log, controllers, bindPod: registryBinder(api.registry), loadBalancerCIDRs: config.loadBalancerCIDRs });
      return {
        ready: running.ready,
        stop: async () => {
          await running.stop();
          client.close();
        },
      };
    },
    startDns: (api, cfg) => {
      // In-process transport, like the controllers. Upstreams default to the host's resolv.conf.
      const client = createClient(inProcessTransport(api.registry));
      const upstreams = cfg.dns.upstreams ?? upstreamsFromResolvConf(readResolvConf());
      let running: ReturnType<typeof startClusterDns> | undefined;
      let closeLog: (() => Promise<void>) | undefined;
      const ready = (async () => {
        // The mirror pod and a listener on <node address>:53 (the kube-dns Service's endpoint)
        // only where pods can reach it: a node agent with a non-loopback node address.
        const addr = await nodeAddress(api);
        const node = addr ? { name: cfg.node.name, ip: addr.ip } : undefined;
        const teed = node ? componentLogger('dns', mirrorLogFile(nodeDir, 'kube-system', `kube-dns-${node.name}`, 'dns')) : undefined;
        closeLog = teed?.close;
        const log = teed?.logger ?? logger.with({ component: 'dns' });
        const listen = [cfg.dns.listen, ...(node && !(cfg.dns.listen.host === node.ip && cfg.dns.listen.port === 53) ? [{ host: node.ip, port: 53 }] : [])];
        running = startClusterDns({ client, logger: log, clusterDomain: cfg.dns.clusterDomain, listen, upstreams, serviceCIDR: cfg.registry.serviceCIDR, node });
        await running.ready;
      })();
      return {
        ready,
        addresses: () => running?.dns.addresses() ?? [],
        stop: async () => {
          await running?.stop();
          await closeLog?.();
          client.close();
        },
      };
    },
    startProxy: (api, cfg) => {
      // In-process transport, like the controllers; nft/iptables/conntrack run in --proxy-netns if given.
      const client = createClient(inProcessTransport(api.registry));
      const podName = `kube-proxy-${cfg.node.name}`;
      // With the node agent the proxy is a mirror pod too, and its log is that pod's log.
      const teed = cfg.node.agent ? componentLogger('proxy', mirrorLogFile(nodeDir, 'kube-system', podName, 'kube-proxy')) : undefined;
      const proxy = createProxy(upProxyConfig(cfg.proxy, client, cfg.registry.serviceCIDR, teed?.logger ?? logger.with({ component: 'proxy' })));
      proxy.start();
      let keeper: MirrorPodKeeper | undefined;
      const ready = (async () => {
        await proxy.ready;
        const addr = await nodeAddress(api);
        if (!addr) return;
        keeper = keepMirrorPods({ client, logger: logger.with({ component: 'proxy' }), nodeName: cfg.node.name, nodeIP: addr.ip }, [kubeProxyMirrorSpec(cfg.node.name)]);
        await keeper.ready;
      })();
      return {
        ready,
        stop: async () => {
          keeper?.stop();
          await proxy.stop();
          await teed?.close();
          client.close();
        },
      };
    },
    startNodeAgent: (api, cfg, log) => {
      const client = createClient(inProcessTransport(api.registry));
      let agent: ReturnType<typeof createNodeAgent> | undefined;
      const ready = (async () => {
        const addr = await nodeAddress(api);
        if (addr) await serveApiOnNode(api, addr.ip, cfg.listen.host, log);
        const host = cfg.listen.host === '0.0.0.0' || cfg.listen.host === '::' ? '127.0.0.1' : cfg.listen.host;
        agent = createNodeAgent({ client, logger: log, nodeName: cfg.node.name, internalIP: addr?.ip ?? host, dataDir: nodeDir, podCIDR: addr?.podCIDR ?? cfg.node.podCIDR, // Load balancer addresses are routed like ClusterIPs: onto the bridge, where the proxy's rules catch them.
        serviceCIDRs: [cfg.registry.serviceCIDR, ...cfg.loadBalancerCIDRs], clusterDNS: [kubeDnsClusterIP(cfg.registry.serviceCIDR)], clusterDomain: cfg.dns.clusterDomain });
        await agent.start();
        await agent.ready;
      })();
      return {
        ready,
        stop: async () => {
          // Stopping the cluster ends its pods: no namespace, veth or process is left behind.
          await agent?.stop();
          await agent?.stopPods();
          client.close();
        },
      };
    },
    onStopSignal: (handler) => {
      const on = (signal: NodeJS.Signals) => handler(signal);
      process.once('SIGINT', on);
      process.once('SIGTERM', on);
      return () => {
        process.off('SIGINT', on);
        process.off('SIGTERM', on);
      };
    },
  });
}

/**
 * Pods reach the API server as on a real cluster: the `kubernetes` Service (10.96.0.1:443) has the
 * node's address as its endpoint, and the API server listens there too (unless --listen covers it).
 */
async function serveApiOnNode(api: ApiServer, nodeIP: string, listenHost: string, log: ReturnType<typeof createLogger>): Promise<void> {
  const port = api.port();
  if (listenHost !== nodeIP && listenHost !== '0.0.0.0' && listenHost !== '::') {
    try {
      await api.listenAlso(nodeIP, port);
    } catch (e) {
      log.warn('the API server cannot listen on the node address; pods cannot reach the kubernetes Service', { address: `${nodeIP}:${port}`, err: e });
      return;
    }
  }
  await api.advertise(nodeIP, port);
}

function readResolvConf(): string {
  try {
    return readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    return '';
  }
}
