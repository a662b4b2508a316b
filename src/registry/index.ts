// The registry: one GenericRegistry per served resource, wired with its kind's Strategy. This is
// the in-process API (no HTTP) that the apiserver's handlers, the bootstrap, the namespace
// lifecycle and in-process controllers call.
import { badRequest, StatusError } from '../api/errors.js';
import type { KubeObject, Stored } from '../api/object.js';
import { RESOURCES, type ResourceInfo } from '../api/resources.js';
import type { Store } from '../store/types.js';
import type { Logger } from '../util/log.js';
import { GenericRegistry, type WriteResult } from './generic.js';
import type { KindHooks } from './generic-context.js';
import { DEFAULT_REGISTRY_DEPS, type RegistryDeps } from './generic-deps.js';
import type {
  DeleteOptions,
  DeleteResult,
  ListOptions,
  ListResult,
  PatchOptions,
  WatchHandle,
  WatchOptions,
  WatchSink,
  WriteOptions,
} from './generic-types.js';
import { podHooks } from './generic-graceful.js';
import { namespaceHooks } from './namespace-lifecycle.js';
import { STRATEGY_FACTORIES } from './strategies.js';
import type { RegistryConfig, StrategyFactory } from './types.js';

export type * from './generic-types.js';
export { GenericRegistry, type WriteResult } from './generic.js';
export { getScale, updateScale, patchScale, toScale } from './generic-scale.js';
export { bindPod } from './generic-binding.js';

export interface RegistryOptions {
  store: Store;
  logger: Logger;
  config: RegistryConfig;
  strategies?: Readonly<Record<string, StrategyFactory>>;
  now?: () => Date;
  /** Override selector/patch implementations (tests). */
  deps?: Partial<RegistryDeps>;
}

/** A resource by its ResourceInfo or by "<group>/<plural>" ("/services", "apps/deployments"). */
export type ResourceRef = ResourceInfo | string;

export interface Registry {
  readonly resources: readonly ResourceInfo[];
  for(res: ResourceRef): GenericRegistry;
  get(res: ResourceRef, namespace: string | undefined, name: string): Promise<Stored>;
  list(res: ResourceRef, opts?: ListOptions): Promise<ListResult>;
  create(res: ResourceRef, namespace: string | undefined, obj: KubeObject, opts?: WriteOptions): Promise<Stored>;
  update(res: ResourceRef, namespace: string | undefined, name: string, obj: KubeObject, opts?: WriteOptions): Promise<Stored>;
  updateStatus(res: ResourceRef, namespace: string | undefined, name: string, obj: KubeObject, opts?: WriteOptions): Promise<Stored>;
  patch(res: ResourceRef, namespace: string | undefined, name: string, contentType: string, patch: unknown, opts?: PatchOptions): Promise<WriteResult>;
  delete(res: ResourceRef, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<DeleteResult>;
  /**
   * Each event's object belongs to the sink: decoded from the store for this watch alone, plain
   * JSON values only, never kept or changed by the registry (the in-process client hands it on
   * without a copy).
   */
  watch(res: ResourceRef, opts: WatchOptions, sink: WatchSink): Promise<WatchHandle>;
}

const KIND_HOOKS: Record<string, KindHooks> = {
  '/namespaces': namespaceHooks,
  '/pods': podHooks,
  '/endpoints': { createOnUpdate: true },
  '/events': { createOnUpdate: true },
  'coordination.k8s.io/leases': { createOnUpdate: true },
};

export function resourceId(res: ResourceInfo): string {
  return `${res.group}/${res.plural}`;
}

export async function createRegistry(opts: RegistryOptions): Promise<Registry> {
  const deps = { ...DEFAULT_REGISTRY_DEPS, ...opts.deps };
  const factories = { ...STRATEGY_FACTORIES, ...opts.strategies };
  const now = opts.now ?? (() => new Date());
  const byId = new Map<string, GenericRegistry>();
  for (const res of RESOURCES) {
    const id = resourceId(res);
    const factory = factories[id];
    const logger = opts.logger.with({ resource: id });
    const strategy = factory ? await factory({ resource: res, store: opts.store, config: opts.config, logger }) : {};
    byId.set(id, new GenericRegistry({ res, strategy, store: opts.store, deps, logger, now, hooks: KIND_HOOKS[id] ?? {} }));
  }
  const reg = (ref: ResourceRef): GenericRegistry => {
    const id = typeof ref === 'string' ? ref : resourceId(ref);
    const r = byId.get(id);
    if (!r) throw new StatusError(404, 'NotFound', `the server could not find the requested resource (${id})`);
    return r;
  };
  return {
    resources: RESOURCES,
    for: reg,
    get: (res, ns, name) => reg(res).get(ns, name),
    list: (res, o) => reg(res).list(o),
    create: async (res, ns, obj, o) => (await reg(res).create(ns, obj, o)).object,
    update: async (res, ns, name, obj, o) => (await reg(res).update(ns, name, obj, o)).object,
    updateStatus: async (res, ns, name, obj, o) => (await reg(res).updateStatus(ns, name, obj, o)).object,
    patch: (res, ns, name, ct, p, o) => {
      if (!ct) throw badRequest('a patch content type is required');
      return reg(res).patch(ns, name, ct, p, o);
    },
    delete: (res, ns, name, o) => reg(res).delete(ns, name, o),
    watch: (res, o, sink) => reg(res).watch(o, sink),
  };
}
