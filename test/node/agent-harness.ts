// A real node agent on a real API server (memory store, in-process client) for tests that run in a
// network namespace of their own (in-netns.ts): registers the suite's before/after hooks, and the
// after hook removes every pod, sandbox and namespace the agent made, even when a test failed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { createApiServer, type ApiServer } from '../../src/apiserver/index.js';
import { createClient, inProcessTransport, PODS, type Client, type ResourceClient } from '../../src/client/index.js';
import { createNodeAgent, type NodeAgent, type NodeAgentConfig } from '../../src/node/agent.js';
import { DEFAULT_REGISTRY_CONFIG } from '../../src/registry/types.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import { createLogger, silentLogger } from '../../src/util/log.js';

export interface AgentHarnessOptions {
  /** Short tag for the data dir and the namespace prefix (`ksvc-t<tag><pid>-`). */
  tag: string;
  nodeName: string;
  podCIDR: string;
  /** terminationGracePeriodSeconds of pods made with create(). */
  graceSeconds: number;
  agent?: Partial<NodeAgentConfig>;
  /** Runs before the agent starts (after the API server listens). */
  before?: () => Promise<void> | void;
  /** Runs after the agent and its pods are gone. */
  after?: () => void;
}

export interface AgentHarness {
  api: ApiServer;
  client: Client;
  dataDir: string;
  prefix: string;
  pods: ResourceClient<Pod>;
  /** The running agent. */
  agent(): NodeAgent;
  /** Stops the agent (pods keep running) and starts a new one on the same data dir. */
  restartAgent(): Promise<NodeAgent>;
  create(name: string, spec: Partial<Pod['spec']>): Promise<Pod>;
  /** Polls `f` every 100 ms until it returns a truthy value; the last error is in the timeout's message. */
  until<T>(what: string, f: () => Promise<T | undefined | false>, ms?: number): Promise<T>;
}

export function agentHarness(o: AgentHarnessOptions): AgentHarness {
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  const store = createMemoryStore();
  const api = createApiServer({ store, logger: silentLogger, registryConfig: DEFAULT_REGISTRY_CONFIG });
  const client = createClient(inProcessTransport(api.registry));
  const dataDir = mkdtempSync(join(tmpdir(), `ksvc-${o.tag}-`));
  const prefix = `ksvc-t${o.tag}${process.pid}-`;
  // KUBESVC_TEST_LOG=1 shows the agent's log on stderr (debugging a failure).
  const logger = process.env.KUBESVC_TEST_LOG ? createLogger({ level: 'info', sink: (l) => process.stderr.write(`${l}\n`) }) : silentLogger;
  const newAgent = () =>
    createNodeAgent({ client, logger, nodeName: o.nodeName, internalIP: '127.0.0.1', dataDir, podCIDR: o.podCIDR, netnsPrefix: prefix, kubeletPort: 0, ...o.agent });
  let agent: NodeAgent | undefined;
  const start = async () => {
    const a = newAgent();
    agent = a;
    await a.start();
    await a.ready;
    return a;
  };

  test.before(async () => {
    await api.ready;
    await api.listen('127.0.0.1', 0);
    await o.before?.();
    await start();
  });
  test.after(async () => {
    await agent?.stop().catch(() => {});
    await agent?.stopPods().catch(() => {});
    // Belt and braces: no namespace of ours may outlive the test.
    for (const line of execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n')) {
      const ns = line.split(' ')[0];
      if (ns.startsWith(prefix)) execFileSync('ip', ['netns', 'del', ns]);
    }
    o.after?.();
    client.close();
    await api.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const pods = client.resource(PODS);
  return {
    api,
    client,
    dataDir,
    prefix,
    pods,
    agent: () => {
      if (!agent) throw new Error('the agent has not started');
      return agent;
    },
    async restartAgent() {
      await agent?.stop();
      return start();
    },
    create: (name, spec) =>
      pods.create('default', { metadata: { name, namespace: 'default' }, spec: { nodeName: o.nodeName, terminationGracePeriodSeconds: o.graceSeconds, containers: [], ...spec } }),
    async until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
      const end = Date.now() + ms;
      let last: unknown;
      while (Date.now() < end) {
        try {
          const v = await f();
          if (v) return v;
        } catch (e) {
          last = e;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    },
  };
}
