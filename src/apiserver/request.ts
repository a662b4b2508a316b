// Everything a resource handler needs about one request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from '../registry/index.js';
import type { Logger } from '../util/log.js';
import type { StreamHandler } from './config.js';
import type { ResourceRoute } from './router.js';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  route: ResourceRoute;
  registry: Registry;
  logger: Logger;
  maxRequestBytes: number;
  /** The node agent's stream handler, if one is plugged in. */
  streams?: StreamHandler;
  /** Registers a cleanup run when the server closes (open watches). */
  track(stop: () => void): () => void;
}
