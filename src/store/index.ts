// The store package's front door: pick a backend from a typed config. Callers depend only on the
// Store contract (types.ts), never on a backend's internals.

import type { Logger } from '../util/log.js';
import type { AutoCompactionOptions } from './embedded/auto-compaction.js';
import { createEmbeddedStore } from './embedded/embedded-store.js';
import type { Durability } from './embedded/log-table.js';
import { createMemoryStore } from './memory/memory-store.js';
import type { Store } from './types.js';

export type StoreConfig =
  | { backend: 'memory' }
  | {
      backend: 'embedded';
      /** Directory of the database (created if missing). */
      dir: string;
      /** 'full' (default) fsyncs every commit; 'normal' survives process crashes, not power loss. */
      durability?: Durability;
      /** Periodic compaction inside the store; off unless given. */
      autoCompaction?: AutoCompactionOptions;
    }
  | { backend: 'etcd'; endpoints: string[] };

export interface OpenStoreOptions {
  logger?: Logger;
}

export async function openStore(config: StoreConfig, opts: OpenStoreOptions = {}): Promise<Store> {
  switch (config.backend) {
    case 'memory':
      return createMemoryStore();
    case 'embedded':
      return createEmbeddedStore({
        dir: config.dir,
        logger: opts.logger,
        durability: config.durability,
        autoCompaction: config.autoCompaction,
      });
    case 'etcd':
      throw new Error(
        `the etcd store backend is not implemented yet (endpoints ${config.endpoints.join(',')}); use the embedded or memory backend`,
      );
  }
}

export type { Store } from './types.js';
export { CompactedError, FutureRevisionError, StoreClosedError } from './types.js';
