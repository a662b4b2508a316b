// What the apiserver's generic registry asks of each kind. The generic registry (registry/generic.ts)
// owns the REST mechanics (storage keys, resourceVersion, uid, timestamps, generateName,
// optimistic concurrency, finalizers, dry-run); a Strategy owns what is particular to a kind:
// defaulting, validation, what an update or a status update may change, and allocations that
// must commit atomically with the object (ClusterIPs, NodePorts).
import type { FieldError } from '../api/field-errors.js';
import type { KubeObject } from '../api/object.js';
import type { ResourceInfo } from '../api/resources.js';
import type { Compare, Op, Store } from '../store/types.js';
import type { Logger } from '../util/log.js';

/** Extra guarded writes that commit in the same store transaction as the object itself. */
export interface TxnExtras {
  compares: Compare[];
  ops: Op[];
}

export const NO_EXTRAS: TxnExtras = Object.freeze({ compares: [], ops: [] }) as TxnExtras;

export interface WriteContext {
  store: Store;
  dryRun: boolean;
  /** Run after the transaction committed (e.g. mark an in-memory allocation final). */
  onCommit(fn: () => void): void;
  /** Run if the transaction failed or was not attempted (e.g. give back a tentative allocation). */
  onAbort(fn: () => void): void;
}

export interface Strategy<T extends KubeObject = KubeObject> {
  /** Field defaulting (as pkg/apis/<group>/v1/defaults.go), applied on create and on update. */
  default?(obj: T): void;
  /** On create: clear what clients may not set (status), set generation, etc. */
  prepareForCreate?(obj: T): void;
  /** On update of the main resource: carry status over from `old`, bump generation on spec change, carry over allocated fields. */
  prepareForUpdate?(obj: T, old: T): void;
  validate?(obj: T): FieldError[];
  validateUpdate?(obj: T, old: T): FieldError[];
  /** On update through /status: take only status from `obj`, everything else from `old`. */
  prepareForStatusUpdate?(obj: T, old: T): void;
  validateStatusUpdate?(obj: T, old: T): FieldError[];
  /** Pods' /ephemeralcontainers: defaults and checks of a write that may only add ephemeral containers. */
  prepareForEphemeralContainersUpdate?(obj: T, old: T): void;
  validateEphemeralContainersUpdate?(obj: T, old: T): FieldError[];
  /**
   * Allocation hooks, called after validation succeeded. They may fill fields in `obj` (e.g.
   * spec.clusterIP) and return guarded writes for the same transaction. If the transaction fails
   * on one of the returned compares, the registry aborts (ctx.onAbort callbacks) and calls the hook
   * again, a bounded number of times.
   */
  beforeCreate?(obj: T, ctx: WriteContext): Promise<TxnExtras>;
  beforeUpdate?(obj: T, old: T, ctx: WriteContext): Promise<TxnExtras>;
  beforeDelete?(old: T, ctx: WriteContext): Promise<TxnExtras>;
}

/** Cluster settings strategies depend on (filled with defaults by the CLI's one translation step). */
export interface RegistryConfig {
  /** e.g. "10.96.0.0/12" */
  serviceCIDR: string;
  /** inclusive range, e.g. { base: 30000, size: 2768 } for 30000-32767 */
  nodePortRange: { base: number; size: number };
}

export const DEFAULT_REGISTRY_CONFIG: RegistryConfig = {
  serviceCIDR: '10.96.0.0/12',
  nodePortRange: { base: 30000, size: 2768 },
};

export interface StrategyFactoryContext {
  resource: ResourceInfo;
  store: Store;
  config: RegistryConfig;
  logger: Logger;
}

/** Each src/registry/<plural>/strategy.ts exports one of these. */
export type StrategyFactory = (ctx: StrategyFactoryContext) => Strategy | Promise<Strategy>;
