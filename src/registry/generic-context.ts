// What every generic verb needs: the resource, its strategy, the store, and the hooks a few kinds
// (namespaces) add to the generic life cycle.
import type { Stored } from '../api/object.js';
import type { ResourceInfo } from '../api/resources.js';
import type { Store } from '../store/types.js';
import type { Logger } from '../util/log.js';
import type { RegistryDeps } from './generic-deps.js';
import type { Strategy } from './types.js';
import type { DeleteOptions } from './generic-types.js';

/** Life-cycle hooks beyond the Strategy contract; only namespaces use them today. */
export interface KindHooks {
  /** Refuse a delete (throw a StatusError), e.g. the system namespaces. */
  checkDelete?(obj: Stored): void;
  /**
   * Called when a delete is requested on a live object. Return true to keep the object (after
   * changing it in place, e.g. phase Terminating) instead of removing it.
   */
  markDeleting?(obj: Stored): boolean;
  /** Whether an object carrying a deletionTimestamp may now be removed (besides metadata.finalizers). */
  finalized?(obj: Stored): boolean;
  /**
   * Seconds the object may take to terminate before it is removed (pods bound to a node); 0 or
   * absent deletes at once.
   */
  gracePeriod?(obj: Stored, opts: DeleteOptions): number;
  /** A PUT of a missing object creates it (AllowCreateOnUpdate: Endpoints, Events, Leases). */
  createOnUpdate?: boolean;
  /** Extra defaulting on create, after the strategy's (e.g. the namespace `kubernetes` finalizer). */
  prepareCreate?(obj: Stored): void;
}

export interface GenericContext {
  res: ResourceInfo;
  strategy: Strategy;
  store: Store;
  deps: RegistryDeps;
  logger: Logger;
  now: () => Date;
  hooks: KindHooks;
}
