// The generic registry: REST mechanics for any served resource over the Store (kube-apiserver's
// genericregistry.Store). A kind's Strategy supplies defaulting, validation and allocation; this
// file owns names, uids, timestamps, resourceVersion (= the store's modRevision), optimistic
// concurrency, no-op detection, finalizers and dry-run.
import {
  StatusError,
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  invalid,
  notFound,
  type GroupResource,
} from '../api/errors.js';
import type { KubeObject, Stored } from '../api/object.js';
import { clone } from '../api/object.js';
import { apiVersionOf, findByPlural, storageKey } from '../api/resources.js';
import type { KV } from '../store/types.js';
import { commit } from './generic-commit.js';
import { applyDeletionFinalizers } from './generic-gc-finalizers.js';
import type { GenericContext } from './generic-context.js';
import { listObjects } from './generic-list.js';
import { decode, dropNulls, encode, wmeta, generateName, newUid, sameContent, stampKind, timestamp, validateObjectMeta } from './generic-meta.js';
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
import { watchObjects } from './generic-watch.js';

// Unconditional writes (no resourceVersion) retry on races, as GuaranteedUpdate does; bounded so a
// pathological hot key answers 409 instead of spinning.
const MAX_UPDATE_RETRIES = 50;
const NAMESPACES = findByPlural('', 'v1', 'namespaces');

export interface WriteResult {
  object: Stored;
  /** true when a create happened (HTTP 201). */
  created: boolean;
}

/**
 * Kinds whose strategies keep metadata.generation in kube-apiserver (the workloads, whose
 * controllers report status.observedGeneration). Others carry none, as in a real cluster.
 */
const GENERATION_KINDS = new Set(['apps/deployments', 'apps/replicasets', 'apps/statefulsets']);

export class GenericRegistry {
  readonly gr: GroupResource;
  private readonly tracksGeneration: boolean;

  constructor(readonly ctx: GenericContext) {
    this.gr = { group: ctx.res.group, resource: ctx.res.plural };
    this.tracksGeneration = GENERATION_KINDS.has(`${ctx.res.group}/${ctx.res.plural}`);
  }

  get res() {
    return this.ctx.res;
  }

  private key(namespace: string | undefined, name: string): string {
    return storageKey(this.res, namespace, name);
  }

  private async read(namespace: string | undefined, name: string): Promise<KV> {
    const kv = await this.ctx.store.get(this.key(namespace, name));
    if (!kv) throw notFound(this.gr, name);
    return kv;
  }

  async get(namespace: string | undefined, name: string): Promise<Stored> {
    return decode(await this.read(namespace, name));
  }

  list(opts: ListOptions = {}): Promise<ListResult> {
    return listObjects(this.ctx, opts);
  }

  watch(opts: WatchOptions, sink: WatchSink): Promise<WatchHandle> {
    return watchObjects(this.ctx, opts, sink);
  }

  private invalid(obj: KubeObject, errs: ReturnType<typeof validateObjectMeta>): StatusError {
    return invalid(this.res.group, this.res.kind, obj.metadata?.name ?? '', errs);
  }

  /**
   * The object as stored, with managedFields recording a non-apply write by opts.fieldManager
   * (server-side apply has recorded its own). Not the same object: hooks fill `obj` first.
   */
  private managed(old: Stored | undefined, obj: Stored, opts: WriteOptions): Stored {
    return opts.fieldManager && !opts.applied ? (this.ctx.deps.recordUpdate(old, obj, this.res, opts.fieldManager) as Stored) : obj;
  }

  /** 422 for a Scale whose spec.replicas is not a non-negative integer. */
  scaleInvalid(name: string, replicas: unknown): StatusError {
    return invalid('autoscaling', 'Scale', name, [
      { type: 'FieldValueInvalid', field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0' },
    ]);
  }

  /** apiVersion/kind in the body must match the URL's resource when given. */
  private checkKind(obj: KubeObject): void {
    const want = apiVersionOf(this.res);
    if (obj.apiVersion && obj.apiVersion !== want) {
      throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${want})`);
    }
    if (obj.kind && obj.kind !== this.res.kind) {
      throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${this.res.kind})`);
    }
  }

  private checkNamespace(obj: KubeObject, namespace: string | undefined): void {
    const m = (obj.metadata ??= {});
    if (!this.res.namespaced) {
      delete m.namespace;
      return;
    }
    if (m.namespace && namespace && m.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (namespace) m.namespace = namespace;
  }

  /** The namespace must exist and not be terminating (the NamespaceLifecycle admission rule). */
  private async admitNamespace(namespace: string | undefined, name: string): Promise<void> {
    if (!this.res.namespaced || !namespace || !NAMESPACES) return;
    const kv = await this.ctx.store.get(storageKey(NAMESPACES, undefined, namespace));
    if (!kv) throw notFound({ group: '', resource: 'namespaces' }, namespace);
    const ns = decode(kv);
    if (ns.metadata.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') {
      const e = forbidden(this.gr, name, `unable to create new content in namespace ${namespace} because it is being terminated`);
      throw new StatusError(e.code, e.reason, e.message, {
        ...e.details,
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  }

  async create(namespace: string | undefined, input: KubeObject, opts: WriteOptions = {}): Promise<WriteResult> {
    const obj = dropNulls(clone(input)) as Stored;
    this.checkKind(obj);
    stampKind(this.res, obj);
    this.checkNamespace(obj, namespace);
    const m = wmeta(obj);
    if (!m.name && m.generateName) m.name = generateName(m.generateName);
    const { strategy, hooks } = this.ctx;
    // Server-owned fields: whatever the client sent is replaced.
    delete m.resourceVersion;
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
    delete m.managedFields;
    m.uid = newUid();
    m.creationTimestamp = timestamp(this.ctx.now());
    if (this.tracksGeneration) m.generation = 1;
    // Admission (the namespace must be live) runs before the registry validates, as in kube-apiserver.
    await this.admitNamespace(m.namespace, m.name ?? '');
    strategy.default?.(obj);
    strategy.prepareForCreate?.(obj);
    hooks.prepareCreate?.(obj);
    const errs = [...validateObjectMeta(this.res, obj), ...(strategy.validate?.(obj) ?? [])];
    if (errs.length) throw this.invalid(obj, errs);
    const name = m.name ?? '';
    const key = this.key(m.namespace, name);
    let stored: Stored = obj;
    const r = await commit(
      this.ctx.store,
      key,
      0,
      () => {
        stored = this.managed(undefined, obj, opts);
        return { type: 'put', key, value: encode(stored) };
      },
      Boolean(opts.dryRun),
      strategy.beforeCreate ? async (wctx) => strategy.beforeCreate!(obj, wctx) : undefined,
    );
    if (!r.ok) throw alreadyExists(this.gr, name);
    if (opts.dryRun) return { object: this.managed(undefined, obj, opts), created: true };
    wmeta(stored).resourceVersion = String(r.revision);
    return { object: stored, created: true };
  }

  /**
   * PUT of the main resource. No resourceVersion in the body → unconditional (retried on races);
   * a stale one → 409. A write that changes nothing is not written (same resourceVersion).
   */
  async update(namespace: string | undefined, name: string, input: KubeObject, opts: WriteOptions = {}): Promise<WriteResult> {
    return this.guardedUpdate(namespace, name, input, opts, (obj, old) => this.prepareMainUpdate(obj, old));
  }

  /** PUT of /status: only status changes (the strategy may say more). */
  async updateStatus(namespace: string | undefined, name: string, input: KubeObject, opts: WriteOptions = {}): Promise<WriteResult> {
    return this.guardedUpdate(namespace, name, input, { ...opts, status: true }, (obj, old) => {
      const s = this.ctx.strategy;
      const next = clone(old);
      wmeta(next).resourceVersion = obj.metadata.resourceVersion;
      if ('status' in obj) next.status = obj.status;
      else delete next.status;
      s.prepareForStatusUpdate?.(next, old);
      return { next, errs: s.validateStatusUpdate?.(next, old) ?? [] };
    });
  }

  /**
   * PUT of pods' /ephemeralcontainers: only spec.ephemeralContainers is taken from the body
   * (kube-apiserver's EphemeralContainersREST); the strategy says what may change.
   */
  async updateEphemeralContainers(namespace: string | undefined, name: string, input: KubeObject, opts: WriteOptions = {}): Promise<WriteResult> {
    return this.guardedUpdate(namespace, name, input, opts, (obj, old) => {
      const s = this.ctx.strategy;
      const next = clone(old);
      wmeta(next).resourceVersion = obj.metadata.resourceVersion;
      const spec = { ...((next.spec as Record<string, unknown> | undefined) ?? {}) };
      const given = (obj.spec as Record<string, unknown> | undefined)?.ephemeralContainers;
      if (given === undefined || given === null) delete spec.ephemeralContainers;
      else spec.ephemeralContainers = given;
      next.spec = spec;
      s.prepareForEphemeralContainersUpdate?.(next, old);
      return { next, errs: s.validateEphemeralContainersUpdate?.(next, old) ?? [] };
    });
  }

  private prepareMainUpdate(obj: Stored, old: Stored) {
    const s = this.ctx.strategy;
    // With a status subresource, the main resource cannot change status (as kube-apiserver).
    if (this.res.subresources.includes('status')) {
      if ('status' in old) obj.status = clone(old.status);
      else delete obj.status;
    }
    s.default?.(obj);
    s.prepareForUpdate?.(obj, old);
    // After the strategy: it may put back fields a client may not change (a spec change it
    // reverts must not bump generation, or a controller re-applying it would loop forever).
    if (this.tracksGeneration) {
      const gen = old.metadata.generation ?? 1;
      wmeta(obj).generation = sameSpec(obj, old) ? gen : gen + 1;
    }
    const errs = [...validateObjectMeta(this.res, obj), ...(s.validateUpdate?.(obj, old) ?? s.validate?.(obj) ?? [])];
    return { next: obj, errs };
  }

  private async guardedUpdate(
    namespace: string | undefined,
    name: string,
    input: KubeObject,
    opts: WriteOptions,
    prepare: (obj: Stored, old: Stored) => { next: Stored; errs: ReturnType<typeof validateObjectMeta> },
  ): Promise<WriteResult> {
    const body = dropNulls(clone(input)) as Stored;
    this.checkKind(body);
    body.metadata ??= {} as Stored['metadata'];
    if (body.metadata.name && body.metadata.name !== name) {
      throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    }
    this.checkNamespace(body, namespace);
    const wantRv = body.metadata.resourceVersion;
    for (let attempt = 0; attempt < MAX_UPDATE_RETRIES; attempt++) {
      const kv = await this.ctx.store.get(this.key(namespace, name));
      if (!kv) {
        // A few kinds (Endpoints, Events, Leases) are created by a PUT, as in kube-apiserver.
        if (!this.ctx.hooks.createOnUpdate || wantRv || opts.status) throw notFound(this.gr, name);
        try {
          return await this.create(namespace, { ...body, metadata: { ...body.metadata, name } }, opts);
        } catch (e) {
          if (e instanceof StatusError && e.reason === 'AlreadyExists') continue;
          throw e;
        }
      }
      const old = decode(kv);
      if (wantRv && wantRv !== old.metadata.resourceVersion) throw conflict(this.gr, name);
      const obj = clone(body);
      stampKind(this.res, obj);
      // Immutable, server-owned metadata always comes from the stored object.
      const om = old.metadata;
      Object.assign(obj.metadata, {
        name: om.name,
        uid: om.uid,
        creationTimestamp: om.creationTimestamp,
        resourceVersion: om.resourceVersion,
      });
      if (this.res.namespaced) obj.metadata.namespace = om.namespace;
      for (const k of ['deletionTimestamp', 'deletionGracePeriodSeconds', 'generation'] as const) {
        if (om[k] !== undefined) (wmeta(obj) as Record<string, unknown>)[k] = om[k];
        else delete wmeta(obj)[k];
      }
      if (om.managedFields && !obj.metadata.managedFields) wmeta(obj).managedFields = om.managedFields;
      const { next, errs } = prepare(obj, old);
      if (errs.length) throw this.invalid(next, errs);
      if (om.deletionTimestamp) {
        const added = (next.metadata.finalizers ?? []).filter((f) => !(om.finalizers ?? []).includes(f));
        if (added.length) {
          throw this.invalid(next, [
            { type: 'FieldValueForbidden', field: 'metadata.finalizers', detail: `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` },
          ]);
        }
      }
      wmeta(next).resourceVersion = om.resourceVersion;
      if (sameContent(next, old)) return { object: old, created: false };
      // Resolved after the hook (as in create): allocations fill fields of `next`, and the
      // managed-fields copy must be taken from the filled object, or they are lost.
      let toStore = next;

      const key = this.key(namespace, name);
      const s = this.ctx.strategy;
      // As ShouldDeleteDuringUpdate: deleting, no finalizers left, and no grace period running
      // (a pod in graceful termination stays until the node agent deletes it).
      const removeNow =
        Boolean(om.deletionTimestamp) &&
        (om.deletionGracePeriodSeconds ?? 0) === 0 &&
        !(next.metadata.finalizers ?? []).length &&
        (this.ctx.hooks.finalized?.(next) ?? true);
      const r = await commit(
        this.ctx.store,
        key,
        kv.modRevision,
        () => {
          toStore = this.managed(old, next, opts);
          return removeNow ? { type: 'delete', key } : { type: 'put', key, value: encode(toStore) };
        },
        Boolean(opts.dryRun),
        async (wctx) => {
          const extras = removeNow
            ? ((await s.beforeDelete?.(old, wctx)) ?? { compares: [], ops: [] })
            : ((await s.beforeUpdate?.(next, old, wctx)) ?? { compares: [], ops: [] });
          return extras;
        },
      );
      if (!r.ok) {
        if (wantRv || !r.current) {
          if (!r.current) throw notFound(this.gr, name);
          throw conflict(this.gr, name);
        }
        continue;
      }
      if (opts.dryRun) return { object: this.managed(old, next, opts), created: false };
      if (removeNow) return { object: toStore, created: false };
      wmeta(toStore).resourceVersion = String(r.revision);
      return { object: toStore, created: false };
    }
    throw conflict(this.gr, name);
  }

  async delete(namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
      throw invalid('', 'DeleteOptions', '', [
        { type: 'FieldValueNotSupported', field: 'propagationPolicy', value: opts.propagationPolicy, detail: 'supported values: "Foreground", "Background", "Orphan", "nil"' },
      ]);
    }
    for (let attempt = 0; attempt < MAX_UPDATE_RETRIES; attempt++) {
      const kv = await this.read(namespace, name);
      const old = decode(kv);
      const p = opts.preconditions;
      if (p?.uid && p.uid !== old.metadata.uid) {
        throw conflict(this.gr, name, `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${old.metadata.uid ?? ''}`);
      }
      if (p?.resourceVersion && p.resourceVersion !== old.metadata.resourceVersion) {
        throw conflict(this.gr, name, `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion ?? ''}`);
      }
      this.ctx.hooks.checkDelete?.(old);
      const key = this.key(namespace, name);

      const next = clone(old);
      applyDeletionFinalizers(next, opts.propagationPolicy);
      const grace = this.ctx.hooks.gracePeriod?.(old, opts) ?? 0;
      if (grace > 0) {
        // Graceful: the owner (the node agent) finishes the deletion. A shorter grace may replace
        // a longer one; a longer one never extends it.
        const om = old.metadata;
        const deadline = new Date(this.ctx.now().getTime() + grace * 1000);
        if (om.deletionTimestamp && (om.deletionGracePeriodSeconds ?? 0) <= grace) return { object: old, deleted: false };
        wmeta(next).deletionTimestamp = timestamp(deadline);
        wmeta(next).deletionGracePeriodSeconds = grace;
        const r = await commit(this.ctx.store, key, kv.modRevision, { type: 'put', key, value: encode(next) }, Boolean(opts.dryRun));
        if (!r.ok) continue;
        if (!opts.dryRun) wmeta(next).resourceVersion = String(r.revision);
        return { object: next, deleted: false };
      }
      const keep = this.ctx.hooks.markDeleting?.(next) ?? false;
      if (keep || (next.metadata.finalizers ?? []).length) {
        // Finalizers hold the object: mark it deleting; whoever owns a finalizer removes it.
        // Grace 0: nothing is left to wait for but the finalizers (a graceful pod the node agent
        // has now finished keeps its original deletionTimestamp).
        if (!next.metadata.deletionTimestamp) wmeta(next).deletionTimestamp = timestamp(this.ctx.now());
        wmeta(next).deletionGracePeriodSeconds = 0;
        if (sameContent(next, old)) return { object: old, deleted: false };
        const r = await commit(this.ctx.store, key, kv.modRevision, { type: 'put', key, value: encode(next) }, Boolean(opts.dryRun));
        if (!r.ok) continue;
        if (!opts.dryRun) wmeta(next).resourceVersion = String(r.revision);
        return { object: next, deleted: false };
      }

      const s = this.ctx.strategy;
      const r = await commit(
        this.ctx.store,
        key,
        kv.modRevision,
        { type: 'delete', key },
        Boolean(opts.dryRun),
        s.beforeDelete ? (wctx) => s.beforeDelete!(old, wctx) : undefined,
      );
      if (!r.ok) {
        if (!r.current) throw notFound(this.gr, name);
        if (p?.resourceVersion) throw conflict(this.gr, name);
        continue;
      }
      return { object: old, deleted: true };
    }
    throw conflict(this.gr, name);
  }

  /**
   * A server-side change that bypasses the strategy's update rules (pods/binding): read, change,
   * write guarded by the read's revision, retried on races. `change` may throw to refuse.
   */
  async mutate(namespace: string | undefined, name: string, opts: WriteOptions, change: (obj: Stored) => void): Promise<Stored> {
    for (let attempt = 0; attempt < MAX_UPDATE_RETRIES; attempt++) {
      const kv = await this.read(namespace, name);
      const obj = decode(kv);
      change(obj);
      const key = this.key(namespace, name);
      const r = await commit(this.ctx.store, key, kv.modRevision, { type: 'put', key, value: encode(obj) }, Boolean(opts.dryRun));
      if (!r.ok) {
        if (!r.current) throw notFound(this.gr, name);
        continue;
      }
      if (!opts.dryRun) wmeta(obj).resourceVersion = String(r.revision);
      return obj;
    }
    throw conflict(this.gr, name);
  }

  /** DELETE on a collection: deletes every object matching the selectors, returns them as a list. */
  async deleteCollection(opts: ListOptions, del: DeleteOptions = {}): Promise<ListResult> {
    const listed = await this.list({ ...opts, limit: 0, continue: undefined });
    const items: Stored[] = [];
    for (const o of listed.items) {
      try {
        const r = await this.delete(o.metadata.namespace, o.metadata.name, { ...del, preconditions: undefined });
        items.push(r.object);
      } catch (e) {
        if (e instanceof StatusError && e.code === 404) continue;
        throw e;
      }
    }
    return { items, resourceVersion: listed.resourceVersion };
  }

  /**
   * PATCH of the main resource or /status: read, apply, write with the read's resourceVersion,
   * retried when someone wrote in between (unless the patch itself named a resourceVersion).
   * Server-side apply creates when the object is missing.
   */
  async patch(
    namespace: string | undefined,
    name: string,
    contentType: string,
    patch: unknown,
    opts: PatchOptions = {},
    subresource?: 'status' | 'ephemeralcontainers',
  ): Promise<WriteResult> {
    const { deps } = this.ctx;
    for (let attempt = 0; attempt < MAX_UPDATE_RETRIES; attempt++) {
      let live: Stored | undefined;
      try {
        live = await this.get(namespace, name);
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 404 && contentType === 'application/apply-patch+yaml' && !subresource)) throw e;
      }
      let next: KubeObject;
      if (contentType === 'application/apply-patch+yaml') {
        if (!opts.fieldManager) throw badRequest('PATCH, application/apply-patch+yaml requests must include a fieldManager query parameter');
        const applied = patch as KubeObject;
        if (applied.metadata?.name && applied.metadata.name !== name) {
          throw badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
        }
        next = deps.applyServerSideApply(live, applied, this.res, { fieldManager: opts.fieldManager, force: Boolean(opts.force) });
        if (!live) {
          next.metadata = { ...next.metadata, name };
          return this.create(namespace, next, { ...opts, applied: true });
        }
      } else {
        next = deps.applyPatch(contentType, live!, patch, this.res);
      }
      const patchedRv = (patch as KubeObject | null)?.metadata?.resourceVersion;
      next.metadata = { ...next.metadata, resourceVersion: patchedRv ?? live!.metadata.resourceVersion };
      try {
        const wopts = { ...opts, applied: contentType === 'application/apply-patch+yaml' };
        if (subresource === 'ephemeralcontainers') return await this.updateEphemeralContainers(namespace, name, next, wopts);
        return subresource === 'status'
          ? await this.updateStatus(namespace, name, next, wopts)
          : await this.update(namespace, name, next, wopts);
      } catch (e) {
        if (e instanceof StatusError && e.reason === 'Conflict' && !patchedRv && e.message.endsWith('try again')) continue;
        throw e;
      }
    }
    throw conflict(this.gr, name);
  }
}

/** Spec equality regardless of key order (generation counts meaningful changes only). */
function sameSpec(a: KubeObject, b: KubeObject): boolean {
  return sameContent({ spec: a.spec } as KubeObject, { spec: b.spec } as KubeObject);
}
