// A real API server (memory store, in-process client) with the workload controllers, the
// scheduler and the garbage collector running on one informer factory, a Ready node, and a
// stand-in for the node agent (which does not exist yet): it can mark bound pods Running and
// Ready through pods/status and finishes graceful deletions, as a kubelet would.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { createApiServer, type ApiServer } from '../../src/apiserver/index.js';
import { createClient, inProcessTransport, NAMESPACES, NODES, PODS, SharedInformerFactory, type Client } from '../../src/client/index.js';
import type { Controller } from '../../src/controllers/index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../../src/registry/types.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import type { Store } from '../../src/store/types.js';
import { silentLogger } from '../../src/util/log.js';
import type { WorkloadControllerConfig } from '../../src/controllers/controller-base.js';

export interface WorkloadCluster {
  store: Store;
  api: ApiServer;
  client: Client;
  /** Every pod bound to a node is made Running and Ready (true) or left alone (false). */
  autoReady: boolean;
  close(): Promise<void>;
}

export type ControllerFactory = (c: WorkloadControllerConfig & { api: ApiServer }) => Controller;

export function readyNode(name: string, ready = true): Node {
  return {
    metadata: { name },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', reason: 'KubeletReady', message: 'kubelet is posting ready status' }] },
  };
}

export async function startWorkloadCluster(factories: ControllerFactory[], opts: { nodes?: Node[]; autoReady?: boolean; listen?: boolean } = {}): Promise<WorkloadCluster> {
  const store = createMemoryStore();
  const api = createApiServer({ store, logger: silentLogger, registryConfig: DEFAULT_REGISTRY_CONFIG, skipBootstrap: true });
  // For the real kubectl: HTTP on loopback only.
  if (opts.listen) await api.listen('127.0.0.1', 0);
  const client = createClient(inProcessTransport(api.registry));
  const factory = new SharedInformerFactory(client, { logger: silentLogger });
  const controllers: Controller[] = [];
  const cluster: WorkloadCluster = {
    store,
    api,
    client,
    autoReady: opts.autoReady ?? true,
    async close() {
      stopped = true;
      await Promise.all(controllers.map((c) => c.stop()));
      factory.stop();
      client.close();
      await api.close();
      await store.close();
    },
  };
  let stopped = false;
  try {
    await client.resource(NAMESPACES).create(undefined, { metadata: { name: 'default' } });
    for (const n of opts.nodes ?? [readyNode('node-1')]) {
      const created = await client.resource(NODES).create(undefined, { metadata: n.metadata });
      if (n.status) await client.resource(NODES).updateStatus(undefined, { ...created, status: n.status });
    }
    for (const make of factories) controllers.push(make({ client, factory, logger: silentLogger, workers: 2, api }));
    // The fake kubelet: its own informer on the same factory.
    const pods = factory.informerFor(PODS);
    const pending = new Set<string>();
    const kubelet = async (p: Pod) => {
      const key = `${p.metadata?.namespace}/${p.metadata?.name}`;
      if (stopped || pending.has(key) || !p.spec?.nodeName) return;
      pending.add(key);
      try {
        if (p.metadata?.deletionTimestamp) {
          await client.resource(PODS).delete(p.metadata.namespace, p.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: p.metadata.uid } });
        } else if (cluster.autoReady && p.status?.phase !== 'Running') {
          await markReady(client, p);
        }
      } catch {
        // gone or changed: the next event retries
      } finally {
        pending.delete(key);
      }
    };
    pods.addEventHandler({ onAdd: (p) => void kubelet(p), onUpdate: (_o, p) => void kubelet(p), onDelete: () => {} });
    factory.start();
    await factory.waitForCacheSync();
    for (const c of controllers) c.run();
  } catch (e) {
    await cluster.close();
    throw e;
  }
  return cluster;
}

let nextIp = 10;

/** Running and Ready through pods/status, as the node agent would report (a fresh pod IP each). */
export async function markReady(client: Client, p: Pod, ready = true): Promise<Pod> {
  const n = nextIp++;
  const podIP = p.status?.podIP ?? `10.244.${Math.floor(n / 250) % 250}.${(n % 250) + 2}`;
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const conditions = [
    { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
    { type: 'Initialized', status: 'True', lastTransitionTime: now },
    { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: now },
    { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now },
  ];
  return client.resource(PODS).patch(p.metadata!.namespace, p.metadata!.name!, 'application/merge-patch+json', { status: { phase: 'Running', podIP, podIPs: [{ ip: podIP }], conditions } }, { subresource: 'status' });
}

/** Polls `check` (async) every 20 ms until it returns true; fails with the last `describe()` after `ms`. */
export async function until(check: () => Promise<boolean> | boolean, ms = 10_000, describe: () => Promise<string> | string = () => ''): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms: ${await describe()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
