// A real in-process API server on the memory store, the DNS component on a loopback port reading
// it through informers, and a fake upstream resolver on loopback. Objects are written through the
// client, readiness through status, as the controllers would.
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Answer } from 'dns-packet';
import { createApiServer, type ApiServer } from '../../src/apiserver/index.js';
import { createClient, ENDPOINTSLICES, inProcessTransport, NAMESPACES, PODS, SERVICES, type Client } from '../../src/client/index.js';
import { createDns, type Dns, type PodMode } from '../../src/dns/index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../../src/registry/types.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import type { Store } from '../../src/store/types.js';
import { silentLogger } from '../../src/util/log.js';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.js';

export interface DnsCluster {
  store: Store;
  api: ApiServer;
  client: Client;
  dns: Dns;
  upstream: FakeUpstream;
  port: number;
  close(): Promise<void>;
}

export async function startDnsCluster(opts: { podMode?: PodMode; namespaces?: string[]; upstreamRecords?: Record<string, Answer[]> } = {}): Promise<DnsCluster> {
  const store = createMemoryStore();
  const api = createApiServer({ store, logger: silentLogger, registryConfig: DEFAULT_REGISTRY_CONFIG, skipBootstrap: true });
  const cleanups: (() => Promise<void> | void)[] = [() => store.close()];
  const close = async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  };
  try {
    await api.ready;
    cleanups.push(() => api.close());
    const client = createClient(inProcessTransport(api.registry));
    cleanups.push(() => client.close());
    for (const name of ['default', 'kube-system', ...(opts.namespaces ?? [])]) {
      await client.resource(NAMESPACES).create(undefined, { metadata: { name } });
    }
    const upstream = await startFakeUpstream(opts.upstreamRecords ?? {});
    cleanups.push(() => upstream.close());
    const dns = createDns({
      client,
      listen: [{ host: '127.0.0.1', port: 0 }],
      upstreams: [{ host: '127.0.0.1', port: upstream.port }],
      podMode: opts.podMode ?? 'insecure',
      upstreamTimeoutMs: 1000,
    });
    cleanups.push(() => dns.stop());
    await dns.start();
    return { store, api, client, dns, upstream, port: dns.addresses()[0]!.port, close };
  } catch (e) {
    await close();
    throw e;
  }
}

export async function createService(client: Client, ns: string, svc: Service): Promise<Service> {
  return client.resource(SERVICES).create(ns, svc);
}

export interface EndpointSpec {
  ip: string;
  ready?: boolean;
  hostname?: string;
}

export function slice(ns: string, service: string, name: string, eps: EndpointSpec[], ports: { name?: string; port: number; protocol?: string }[], addressType = 'IPv4'): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: ns, labels: { 'kubernetes.io/service-name': service } },
    addressType,
    endpoints: eps.map((e) => ({ addresses: [e.ip], conditions: { ready: e.ready ?? true }, ...(e.hostname ? { hostname: e.hostname } : {}) })),
    ports: ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' })),
  };
}

export async function createSlice(client: Client, s: EndpointSlice): Promise<EndpointSlice> {
  return client.resource(ENDPOINTSLICES).create(s.metadata!.namespace, s);
}

/** A pod with its IP and readiness set through the status subresource, as the node agent would. */
export async function createRunningPod(client: Client, ns: string, name: string, ip: string, labels: Record<string, string> = {}): Promise<Pod> {
  const pods = client.resource(PODS);
  const pod = await pods.create(ns, { metadata: { name, labels }, spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'busybox' }] } });
  return pods.updateStatus(ns, {
    ...pod,
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True' }] },
  });
}
