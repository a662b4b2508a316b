// The garbage collector (pkg/controller/garbagecollector): follows metadata.ownerReferences.
// - Background: an object all of whose owners are gone (not found, or found with another uid)
//   is deleted; owners that are gone are dropped from an object that still has a live owner.
// - Foreground: an owner carrying the `foregroundDeletion` finalizer has its dependents deleted;
//   the finalizer is removed (and the owner with it) once no dependent with
//   blockOwnerDeletion=true is left.
// - Orphan: an owner carrying the `orphan` finalizer has its uid removed from its dependents'
//   ownerReferences, then the finalizer is removed.
// The API server adds those finalizers on DELETE with propagationPolicy Foreground or Orphan.
// Every served resource except Events is watched; "gone" is confirmed with a live GET, as the
// cache may simply not have seen an owner yet.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { RESOURCES, apiVersionOf, type ResourceInfo } from '../api/resources.js';
import { deletedObject, isConflict, isNotFound, type ApiObject, type Informer, type WorkQueue } from '../client/index.js';
import { kind } from '../client/kinds.js';
import { fill, fromContext, queueController, type WorkloadControllerConfig } from './controller-base.js';
import { errorText } from './controller-utils.js';
import type { Controller, ControllerDescriptor } from './index.js';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';
const BY_OWNER = 'gc:byOwnerUid';

export type GarbageCollectorConfig = WorkloadControllerConfig & {
  /** Resources to follow (default: every served resource but events). */
  resources?: readonly ResourceInfo[];
};

const resId = (r: ResourceInfo) => `${r.group}/${r.plural}`;

export function createGarbageCollector(config: GarbageCollectorConfig): Controller {
  const f = fill('garbage-collector', config);
  const resources = (config.resources ?? RESOURCES).filter((r) => r.plural !== 'events' && ['list', 'watch', 'delete'].every((v) => r.verbs.includes(v)));
  const informers = new Map<string, { res: ResourceInfo; inf: Informer<ApiObject> }>();
  for (const res of resources) {
    const inf = f.factory.informerFor(kind<ApiObject>(resId(res)), { indexers: { [BY_OWNER]: (o) => (o.metadata?.ownerReferences ?? []).map((r) => r.uid) } });
    informers.set(resId(res), { res, inf });
  }
  /** uid → item key of every object the caches hold: "is this owner known?" without a GET. */
  const known = new Map<string, string>();

  const itemKey = (res: ResourceInfo, o: ApiObject) => `${resId(res)}|${o.metadata?.namespace ?? ''}|${o.metadata?.name ?? ''}`;
  const parseKey = (key: string) => {
    const [id, ns, name] = key.split('|') as [string, string, string];
    return { entry: informers.get(id), namespace: ns || undefined, name };
  };
  const gcFinalizers = (o: ApiObject) => (o.metadata?.finalizers ?? []).filter((x) => x === FOREGROUND_FINALIZER || x === ORPHAN_FINALIZER);

  function dependentsOf(uid: string): { res: ResourceInfo; obj: ApiObject }[] {
    const out: { res: ResourceInfo; obj: ApiObject }[] = [];
    for (const { res, inf } of informers.values()) for (const obj of inf.lister.byIndex(BY_OWNER, uid)) out.push({ res, obj });
    return out;
  }

  /** The informer entry serving an owner reference's apiVersion and kind. */
  function resourceFor(ref: OwnerReference): ResourceInfo | undefined {
    return resources.find((r) => r.kind === ref.kind && apiVersionOf(r) === ref.apiVersion);
  }

  function register(queue: WorkQueue<string>): void {
    for (const { res, inf } of informers.values()) {
      const seen = (o: ApiObject) => {
        const uid = o.metadata?.uid;
        if (uid) known.set(uid, itemKey(res, o));
        const refs = o.metadata?.ownerReferences ?? [];
        if (gcFinalizers(o).length && o.metadata?.deletionTimestamp) queue.add(itemKey(res, o));
        else if (refs.some((r) => !known.has(r.uid))) queue.add(itemKey(res, o));
        // A dependent that starts terminating may unblock an owner in foreground deletion.
        if (o.metadata?.deletionTimestamp) for (const r of refs) wakeOwner(queue, r.uid);
      };
      inf.addEventHandler({
        onAdd: seen,
        onUpdate: (old, o) => {
          seen(o);
          // Owner references changed: check the new set.
          if (JSON.stringify(old.metadata?.ownerReferences ?? []) !== JSON.stringify(o.metadata?.ownerReferences ?? [])) queue.add(itemKey(res, o));
        },
        onDelete: (x) => {
          const o = deletedObject(x);
          const uid = o.metadata?.uid;
          if (uid) {
            if (known.get(uid) === itemKey(res, o)) known.delete(uid);
            for (const d of dependentsOf(uid)) queue.add(itemKey(d.res, d.obj));
          }
          for (const r of o.metadata?.ownerReferences ?? []) wakeOwner(queue, r.uid);
        },
      });
    }
  }

  function wakeOwner(queue: WorkQueue<string>, uid: string): void {
    const key = known.get(uid);
    if (key) queue.add(key);
  }

  type OwnerState = 'solid' | 'dangling' | 'waiting';

  /** Whether an owner still exists (cache first, then a live GET to confirm absence). */
  async function ownerState(ref: OwnerReference, namespace: string | undefined): Promise<OwnerState> {
    const res = resourceFor(ref);
    if (!res) return 'solid'; // a kind we do not serve: never delete on its account
    // A cluster-scoped object cannot be owned by a namespaced one: Kubernetes treats such a
    // reference as unresolvable and never collects the object on its account.
    if (res.namespaced && !namespace) return 'solid';
    const ns = res.namespaced ? namespace : undefined;
    let owner: ApiObject | undefined = informers.get(resId(res))!.inf.lister.get(ns, ref.name);
    if (!owner || owner.metadata?.uid !== ref.uid) {
      try {
        owner = await f.client.resource<ApiObject>(res).get(ns, ref.name);
      } catch (e) {
        if (isNotFound(e)) return 'dangling';
        throw e;
      }
      if (owner.metadata?.uid !== ref.uid) return 'dangling';
    }
    if (owner.metadata?.deletionTimestamp && owner.metadata.finalizers?.includes(FOREGROUND_FINALIZER)) return 'waiting';
    return 'solid';
  }

  async function patch(res: ResourceInfo, o: ApiObject, metadata: Record<string, unknown>): Promise<void> {
    try {
      await f.client.resource<ApiObject>(res).patch(o.metadata?.namespace, o.metadata!.name!, 'application/merge-patch+json', {
        metadata: { ...metadata, uid: o.metadata!.uid, resourceVersion: o.metadata!.resourceVersion },
      });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  async function del(res: ResourceInfo, o: ApiObject, policy: 'Background' | 'Foreground' | 'Orphan'): Promise<void> {
    f.logger.info('deleting object', { resource: resId(res), namespace: o.metadata?.namespace, name: o.metadata?.name, propagationPolicy: policy });
    try {
      await f.client.resource<ApiObject>(res).delete(o.metadata?.namespace, o.metadata!.name!, { propagationPolicy: policy, preconditions: { uid: o.metadata!.uid } });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }

  /** An owner being deleted with a GC finalizer: orphan or delete its dependents, then release it. */
  async function processDeletingOwner(res: ResourceInfo, o: ApiObject): Promise<void> {
    const uid = o.metadata!.uid!;
    const finalizers = o.metadata?.finalizers ?? [];
    if (finalizers.includes(ORPHAN_FINALIZER)) {
      for (const d of dependentsOf(uid)) {
        await patch(d.res, d.obj, { ownerReferences: (d.obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== uid) });
      }
      await patch(res, o, { finalizers: finalizers.filter((x) => x !== ORPHAN_FINALIZER) });
      return;
    }
    if (finalizers.includes(FOREGROUND_FINALIZER)) {
      const deps = dependentsOf(uid);
      const blocking = deps.filter((d) => d.obj.metadata?.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion === true));
      if (!blocking.length) {
        await patch(res, o, { finalizers: finalizers.filter((x) => x !== FOREGROUND_FINALIZER) });
        return;
      }
      for (const d of deps) {
        if (d.obj.metadata?.deletionTimestamp) continue;
        // A dependent with dependents of its own is deleted in the foreground too, so the chain
        // blocks all the way down (Deployment → ReplicaSet → Pods).
        const hasDependents = dependentsOf(d.obj.metadata!.uid!).length > 0;
        await del(d.res, d.obj, hasDependents ? 'Foreground' : 'Background');
      }
    }
  }

  /** attemptToDeleteItem: delete an object whose owners are all gone; drop dangling references. */
  async function processDependent(res: ResourceInfo, o: ApiObject): Promise<void> {
    const refs = o.metadata?.ownerReferences ?? [];
    if (!refs.length || o.metadata?.deletionTimestamp) return;
    const states = await Promise.all(refs.map((r) => ownerState(r, o.metadata?.namespace)));
    const solid = refs.filter((_r, i) => states[i] === 'solid');
    const waiting = refs.filter((_r, i) => states[i] === 'waiting');
    if (solid.length) {
      if (solid.length < refs.length) {
        // Some owners are gone or deleting in the foreground: this object stays with the others.
        const drop = new Set(refs.filter((_r, i) => states[i] !== 'solid').map((r) => r.uid));
        await patch(res, o, { ownerReferences: refs.filter((r) => !drop.has(r.uid)) });
      }
      return;
    }
    let policy: 'Background' | 'Foreground' | 'Orphan' = 'Background';
    if (o.metadata?.finalizers?.includes(ORPHAN_FINALIZER)) policy = 'Orphan';
    else if (o.metadata?.finalizers?.includes(FOREGROUND_FINALIZER)) policy = 'Foreground';
    else if (waiting.length && dependentsOf(o.metadata!.uid!).length) policy = 'Foreground';
    await del(res, o, policy);
  }

  async function reconcile(key: string) {
    const { entry, namespace, name } = parseKey(key);
    if (!entry) return;
    const o = entry.inf.lister.get(namespace, name);
    if (!o) return;
    try {
      if (o.metadata?.deletionTimestamp && gcFinalizers(o).length) await processDeletingOwner(entry.res, o);
      else await processDependent(entry.res, o);
    } catch (e) {
      f.logger.warn('garbage collection failed; retrying', { item: key, err: errorText(e) });
      throw e;
    }
    // Foreground owners wait for dependents to go: look again soon even without an event.
    if (o.metadata?.deletionTimestamp && o.metadata.finalizers?.includes(FOREGROUND_FINALIZER)) return { requeueAfterMs: 1000 };
    return undefined;
  }

  return queueController('garbage-collector', f, register, reconcile);
}

/** For the controller manager: kube-controller-manager's "garbage-collector-controller". */
export const garbageCollectorController: ControllerDescriptor = {
  name: 'garbage-collector-controller',
  create: (ctx) => createGarbageCollector(fromContext(ctx, 'garbage-collector-controller')),
};
