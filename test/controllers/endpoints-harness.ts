// A real API server (memory store, in-process client, or HTTP on 127.0.0.1) with the controller
// manager running on it, and helpers to make pods whose IP and readiness are set through the
// status subresource (no node agent needed).
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { createApiServer, type ApiServer } from '../../src/apiserver/index.js';
import { createClient, type Client } from '../../src/client/client.js';
import { httpTransport } from '../../src/client/http.js';
import { inProcessTransport } from '../../src/client/in-process.js';
import { ENDPOINTSLICES, NAMESPACES, NODES, PODS } from '../../src/client/kinds.js';
import { startControllers, type ControllersConfig, type RunningControllers } from '../../src/controllers/index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../../src/registry/types.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import type { Store } from '../../src/store/types.js';
import { silentLogger } from '../../src/util/log.js';

export interface ControllerCluster {
  store: Store;
  api: ApiServer;
  client: Client;
  controllers: RunningControllers;
  close(): Promise<void>;
}

export async function startControllerCluster(
  opts: { http?: boolean; namespaces?: string[]; nodes?: Record<string, string | undefined>; controllers?: Partial<ControllersConfig> } = {},
): Promise<ControllerCluster> {
  const store = createMemoryStore();
  const api = createApiServer({ store, logger: silentLogger, registryConfig: DEFAULT_REGISTRY_CONFIG, skipBootstrap: true });
  let client: Client | undefined;
  let controllers: RunningControllers | undefined;
  try {
    if (opts.http) {
      await api.listen('127.0.0.1', 0);
      client = createClient(httpTransport({ server: `http://127.0.0.1:${api.port()}` }));
    } else {
      client = createClient(inProcessTransport(api.registry));
    }
    for (const name of ['default', ...(opts.namespaces ?? [])]) await client.resource(NAMESPACES).create(undefined, { metadata: { name } });
    for (const [name, zone] of Object.entries(opts.nodes ?? { 'node-1': undefined })) {
      const node: Node = { metadata: { name, labels: zone ? { 'topology.kubernetes.io/zone': zone } : {} } };
      await client.resource(NODES).create(undefined, node);
    }
    controllers = startControllers({ client, logger: silentLogger, ...opts.controllers });
    await controllers.ready;
  } catch (e) {
    await controllers?.stop();
    client?.close();
    await api.close();
    await store.close();
    throw e;
  }
  const c = client;
  const running = controllers;
  return {
    store,
    api,
    client: c,
    controllers: running,
    async close() {
      await running.stop();
      c.close();
      await api.close();
      await store.close();
    },
  };
}

export interface PodSpecOpts {
  labels?: Record<string, string>;
  ip?: string;
  ips?: string[];
  ready?: boolean;
  node?: string;
  /** Container ports: name → number. */
  ports?: Record<string, number>;
  hostname?: string;
  subdomain?: string;
}

/** Creates a pod bound to a node, then gives it an IP and a Ready condition through /status. */
export async function makePod(client: Client, ns: string, name: string, o: PodSpecOpts = {}): Promise<Pod> {
  const pods = client.resource(PODS);
  const created = await pods.create(ns, {
    metadata: { name, labels: o.labels ?? {} },
    spec: {
      nodeName: o.node ?? 'node-1',
      hostname: o.hostname,
      subdomain: o.subdomain,
      containers: [
        {
          name: 'app',
          image: 'nginx',
          ports: Object.entries(o.ports ?? {}).map(([pn, containerPort]) => ({ name: pn, containerPort })),
        },
      ],
    },
  });
  const ips = o.ips ?? (o.ip ? [o.ip] : []);
  if (ips.length === 0) return created;
  return setPodStatus(client, created, ips, o.ready ?? true);
}

export async function setPodStatus(client: Client, pod: Pod, ips: string[], ready: boolean): Promise<Pod> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const fresh = await client.resource(PODS).get(pod.metadata?.namespace, pod.metadata?.name ?? '');
  return client.resource(PODS).updateStatus(pod.metadata?.namespace, {
    ...fresh,
    status: {
      ...fresh.status,
      phase: 'Running',
      podIP: ips[0],
      podIPs: ips.map((ip) => ({ ip })),
      conditions: [
        { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
      ],
    },
  });
}

export async function setReady(client: Client, ns: string, name: string, ready: boolean): Promise<Pod> {
  const pod = await client.resource(PODS).get(ns, name);
  return setPodStatus(client, pod, (pod.status?.podIPs ?? []).map((p) => p.ip ?? ''), ready);
}

/** Polls an async condition every 20 ms until it returns a value that is not undefined/false. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 10000): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function slicesOf(client: Client, ns: string, svc: string, managedBy = 'endpointslice-controller.k8s.io'): Promise<EndpointSlice[]> {
  const { items } = await client.resource(ENDPOINTSLICES).list({ namespace: ns, labelSelector: `kubernetes.io/service-name=${svc}` });
  return items.filter((s) => s.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'] === managedBy);
}

export function readyIPs(slices: EndpointSlice[]): string[] {
  return slices
    .flatMap((s) => s.endpoints ?? [])
    .filter((e) => e.conditions?.ready)
    .flatMap((e) => e.addresses)
    .sort();
}

export type { Service };
