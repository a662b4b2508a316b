// The typed client: one ResourceClient<T> per resource over either transport. It adds only what
// is transport-independent: types, namespace resolution and paging.
import type { KubeObject } from '../api/object.js';
import type { ResourceInfo } from '../api/resources.js';
import type { Kind } from './kinds.js';
import type { ApiObject } from './objects.js';
import type {
  DeleteOptions,
  ListOptions,
  ListResult,
  PatchOptions,
  PatchType,
  Transport,
  WatchHandle,
  WatchHandlers,
  WatchOptions,
  WriteOptions,
} from './transport.js';

export interface ResourceClient<T extends ApiObject> {
  readonly resource: ResourceInfo;
  /** `namespace` is ignored for cluster-scoped resources. */
  get(namespace: string | undefined, name: string): Promise<T>;
  /** One page (or everything, without `limit`). */
  list(opts?: ListOptions): Promise<ListResult<T>>;
  /** Every page, following continue tokens (one consistent snapshot). */
  listAll(opts?: Omit<ListOptions, 'continue'>, pageSize?: number): Promise<ListResult<T>>;
  /** `namespace` undefined: the object's own metadata.namespace. */
  create(namespace: string | undefined, obj: T, opts?: WriteOptions): Promise<T>;
  /** Replaces the object named by obj.metadata.name (optimistic concurrency on its resourceVersion, if set). */
  update(namespace: string | undefined, obj: T, opts?: WriteOptions): Promise<T>;
  /** Writes only the status (the /status subresource). */
  updateStatus(namespace: string | undefined, obj: T, opts?: WriteOptions): Promise<T>;
  patch(namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts?: PatchOptions): Promise<T>;
  delete(namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<T>;
  watch(opts: WatchOptions, handlers: WatchHandlers<T>): Promise<WatchHandle>;
}

export interface Client {
  readonly transport: Transport;
  resource<T extends ApiObject>(kind: Kind<T>): ResourceClient<T>;
  /** Untyped access by ResourceInfo (generic components such as the garbage collector). */
  resource<T extends ApiObject = KubeObject>(info: ResourceInfo): ResourceClient<T>;
  close(): void;
}

function nameOf(obj: ApiObject): string {
  const name = obj.metadata?.name;
  if (!name) throw new Error('the object has no metadata.name');
  return name;
}

function resourceClient<T extends ApiObject>(t: Transport, res: ResourceInfo): ResourceClient<T> {
  const nsOf = (ns: string | undefined, obj?: ApiObject) => (res.namespaced ? (ns ?? obj?.metadata?.namespace) : undefined);
  const list = async (opts: ListOptions = {}) => (await t.list(res, { ...opts, namespace: nsOf(opts.namespace) })) as unknown as ListResult<T>;
  return {
    resource: res,
    get: async (ns, name) => (await t.get(res, nsOf(ns), name)) as unknown as T,
    list,
    async listAll(opts = {}, pageSize = 500) {
      const items: T[] = [];
      let page = await list({ ...opts, limit: pageSize });
      for (;;) {
        items.push(...page.items);
        if (!page.continue) return { items, resourceVersion: page.resourceVersion };
        page = await list({ ...opts, resourceVersion: undefined, resourceVersionMatch: undefined, limit: pageSize, continue: page.continue });
      }
    },
    create: async (ns, obj, o = {}) => (await t.create(res, nsOf(ns, obj), obj as unknown as KubeObject, o)) as unknown as T,
    update: async (ns, obj, o = {}) => (await t.update(res, nsOf(ns, obj), nameOf(obj), obj as unknown as KubeObject, o)) as unknown as T,
    updateStatus: async (ns, obj, o = {}) => (await t.updateStatus(res, nsOf(ns, obj), nameOf(obj), obj as unknown as KubeObject, o)) as unknown as T,
    patch: async (ns, name, type, patch, o = {}) => (await t.patch(res, nsOf(ns), name, type, patch, o)) as unknown as T,
    delete: async (ns, name, o = {}) => (await t.delete(res, nsOf(ns), name, o)) as unknown as T,
    watch: (opts, handlers) => t.watch(res, { ...opts, namespace: nsOf(opts.namespace) }, handlers as unknown as WatchHandlers),
  };
}

export function createClient(transport: Transport): Client {
  const cache = new Map<ResourceInfo, ResourceClient<ApiObject>>();
  return {
    transport,
    resource<T extends ApiObject>(k: Kind<T> | ResourceInfo): ResourceClient<T> {
      const info = 'info' in k ? k.info : k;
      let rc = cache.get(info);
      if (!rc) cache.set(info, (rc = resourceClient(transport, info)));
      return rc as unknown as ResourceClient<T>;
    },
    close: () => transport.close(),
  };
}
