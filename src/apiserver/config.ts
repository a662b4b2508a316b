// The typed config of the API server (habit 6: CLI/file → one translation → this → createApiServer).
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ResourceRoute } from './router.js';
import type { Registry } from '../registry/index.js';
import type { RegistryConfig, StrategyFactory } from '../registry/types.js';
import type { Store } from '../store/types.js';
import type { Logger } from '../util/log.js';

export const DEFAULT_MAX_REQUEST_BYTES = 3 * 1024 * 1024;

/**
 * Where the streaming subresources (log, exec, attach, portforward, proxy) go: the node agent
 * plugs in here (forwarding to its own HTTP endpoint). Each returns true when it took the request;
 * otherwise the apiserver answers 503 "no node agent is serving ...".
 */
export interface StreamHandler {
  /** A plain request, e.g. GET pods/x/log. */
  request?(req: IncomingMessage, res: ServerResponse, route: ResourceRoute): boolean;
  /** A protocol upgrade (WebSocket/SPDY), e.g. exec, attach, portforward. */
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer, route: ResourceRoute): boolean;
}

export interface ApiServerConfig {
  store: Store;
  logger: Logger;
  registryConfig: RegistryConfig;
  /** Address written into the `kubernetes` Endpoints in `default` (default 127.0.0.1). */
  advertiseAddress?: string;
  /** Port written into the `kubernetes` Endpoints (default: the bound port once listening, else 6443). */
  advertisePort?: number;
  /** Request bodies larger than this are refused with 413 (default 3 MiB, as kube-apiserver). */
  maxRequestBytes?: number;
  /** Override strategies by "<group>/<plural>" (tests); defaults to STRATEGY_FACTORIES. */
  strategies?: Readonly<Record<string, StrategyFactory>>;
  /** Injected clock for creationTimestamp/deletionTimestamp (tests). */
  now?: () => Date;
  /** The node agent's handler of log/exec/attach/portforward/proxy (absent: 503). */
  streams?: StreamHandler;
  /** How often the bootstrap objects are re-created if deleted (default 10 s). */
  bootstrapIntervalMs?: number;
  /** Skip creating the default namespaces and the `kubernetes` Service (tests of an empty server). */
  skipBootstrap?: boolean;
}

export interface ApiServer {
  server: Server;
  /** Starts listening; resolves once bound. Port 0 picks a free port (see `port()`). */
  listen(host: string, port: number): Promise<void>;
  /** The bound port (after listen). */
  port(): number;
  /** Serves on a second address too (e.g. the node's, so pods reach the `kubernetes` Service); closed with the server. */
  listenAlso(host: string, port: number): Promise<void>;
  /** From now on the `kubernetes` Endpoints name this address and port (resolves once they do). */
  advertise(address: string, port: number): Promise<void>;
  /** Stops accepting, ends open watches and closes connections. Does not close the store. */
  close(): Promise<void>;
  /** Resolves when bootstrap (system namespaces, `kubernetes` Service) is done; /readyz is 200 from then on. */
  ready: Promise<void>;
  /** The in-process API (no HTTP) for controllers and the CLI. */
  registry: Registry;
}
