// A real API server (memory store, 127.0.0.1, free port) and both client transports on it, so
// one conformance suite can run over each (habit 9).
import { createApiServer, type ApiServer } from '../../src/apiserver/index.js';
import { createClient, type Client } from '../../src/client/client.js';
import { httpTransport } from '../../src/client/http.js';
import { inProcessTransport } from '../../src/client/in-process.js';
import { DEFAULT_REGISTRY_CONFIG } from '../../src/registry/types.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import type { Store } from '../../src/store/types.js';
import { silentLogger } from '../../src/util/log.js';

export type TransportName = 'in-process' | 'http';
export const TRANSPORTS: readonly TransportName[] = ['in-process', 'http'];

export interface Cluster {
  store: Store;
  api: ApiServer;
  port: number;
  client: Client;
  /** Stops the HTTP server (ending its watches) and starts a new one on the same port and store. */
  restart(): Promise<void>;
  /** Just the stop half of restart (for tests that look at the outage). */
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  close(): Promise<void>;
}

// Bootstrap (the `kubernetes` Service and its Endpoints) is not what these tests are about; they
// create the namespaces they use themselves, so a change there cannot break the client's tests.
function newServer(store: Store): ApiServer {
  return createApiServer({ store, logger: silentLogger, registryConfig: DEFAULT_REGISTRY_CONFIG, skipBootstrap: true });
}

const NAMESPACES_USED = ['default', 'kube-system'];

export async function startCluster(transport: TransportName): Promise<Cluster> {
  const store = createMemoryStore();
  let api = newServer(store);
  await api.listen('127.0.0.1', 0);
  await api.ready;
  for (const name of NAMESPACES_USED) await api.registry.create('/namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const port = api.port();
  let running = true;
  const client =
    transport === 'http' ? createClient(httpTransport({ server: `http://127.0.0.1:${port}` })) : createClient(inProcessTransport(api.registry));
  const c: Cluster = {
    store,
    get api() {
      return api;
    },
    port,
    client,
    async stopServer() {
      if (!running) return;
      running = false;
      await api.close();
    },
    async startServer() {
      if (running) return;
      api = newServer(store);
      await api.listen('127.0.0.1', port);
      await api.ready;
      running = true;
    },
    async restart() {
      await c.stopServer();
      await c.startServer();
    },
    async close() {
      client.close();
      await c.stopServer();
      await store.close();
    },
  };
  return c;
}

/** Polls `cond` every 5 ms until it holds, or fails after `ms`. */
export async function eventually(cond: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
