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
import { isIP } from 'node:net';
import { startClusterDns } from '../dns/cluster-dns.js';
import { upstreamsFromResolvConf } from '../dns/index.js';
import { runCli } from './commands.js';
import { runExec } from './exec.js';
import { insideIsolatedNetns, prepareIsolatedNetns, runIsolated } from './isolated.js';
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
  up: async (config) => {
    // --isolated: run this same command again inside a new network namespace (see isolated.ts).
    if (config.node.isolated && !insideIsolatedNetns()) return runIsolated();
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
  return runUp(config, {
    openStore: (choice) => openStore(choice, { logger: logger.with({ component: 'store' }) }),
    createApiServer,
    logger: logger.with({ component: 'kubesvc' }),
    print: (t) => process.stdout.write(t),
    startControllers: (api, controllers, log) => {
      // In-process transport: the controllers run in the API server's process, through the same API.
      const client = createClient(inProcessTransport(api.registry));
      const running = startControllers({ client, logger: log, controllers, bindPod: registryBinder(api.registry) });
      return {
        ready: running.ready,
        stop: async () => {
          await running.stop();
          client.close();
        },
      };
    },
    startDns: (api, cfg, log) => {
      // In-process transport, like the controllers. Upstreams default to the host's resolv.conf.
      const client = createClient(inProcessTransport(api.registry));
      const upstreams = cfg.dns.upstreams ?? upstreamsFromResolvConf(readResolvConf());
      const host = cfg.listen.host === '0.0.0.0' || cfg.listen.host === '::' ? '127.0.0.1' : cfg.listen.host;
      // The mirror pod (and a listener on the node's address, port 53) only where pods can reach it.
      const node = cfg.node.agent && !isLoopback(host) ? { name: cfg.node.name, ip: host } : undefined;
      const listen = [cfg.dns.listen, ...(node && !(cfg.dns.listen.host === host && cfg.dns.listen.port === 53) ? [{ host, port: 53 }] : [])];
      const running = startClusterDns({ client, logger: log, clusterDomain: cfg.dns.clusterDomain, listen, upstreams, serviceCIDR: cfg.registry.serviceCIDR, node });
      return {
        ready: running.ready,
        addresses: () => running.dns.addresses(),
        stop: async () => {
          await running.stop();
          client.close();
        },
      };
    },
    startProxy: (api, cfg, log) => {
      // In-process transport, like the controllers; nft/iptables/conntrack run in --proxy-netns if given.
      const client = createClient(inProcessTransport(api.registry));
      const proxy = createProxy(upProxyConfig(cfg.proxy, client, cfg.registry.serviceCIDR, log));
      proxy.start();
      return {
        ready: proxy.ready,
        stop: async () => {
          await proxy.stop();
          client.close();
        },
      };
    },
    startNodeAgent: (api, cfg, log) => {
      const client = createClient(inProcessTransport(api.registry));
      const host = cfg.listen.host === '0.0.0.0' || cfg.listen.host === '::' ? '127.0.0.1' : cfg.listen.host;
      const agent = createNodeAgent({ client, logger: log, nodeName: cfg.node.name, internalIP: host, dataDir: join(cfg.dataDir, 'node'), podCIDR: cfg.node.podCIDR, serviceCIDRs: [cfg.registry.serviceCIDR], clusterDNS: [kubeDnsClusterIP(cfg.registry.serviceCIDR)], clusterDomain: cfg.dns.clusterDomain });
      return {
        ready: agent.start().then(() => agent.ready),
        stop: async () => {
          // Stopping the cluster ends its pods: no namespace, veth or process is left behind.
          await agent.stop();
          await agent.stopPods();
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

function readResolvConf(): string {
  try {
    return readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    return '';
  }
}

function isLoopback(ip: string): boolean {
  return (isIP(ip) === 4 && ip.startsWith('127.')) || ip === '::1';
}
