// Namespace life cycle, as kube-apiserver's namespace REST storage plus the namespace controller:
// a deleted namespace turns Terminating (spec.finalizers ["kubernetes"]), everything in it is
// deleted, then the `kubernetes` finalizer is removed and the namespace disappears. The four
// system namespaces cannot be deleted.
import { forbidden } from '../api/errors.js';
import type { Stored } from '../api/object.js';
import { RESOURCES, findByPlural, type ResourceInfo } from '../api/resources.js';
import type { Logger } from '../util/log.js';
import type { KindHooks } from './generic-context.js';
import type { GenericRegistry } from './generic.js';
import type { WatchHandle } from './generic-types.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;
export const NAMESPACE_FINALIZER = 'kubernetes';

interface NamespaceShape {
  spec?: { finalizers?: string[] };
  status?: { phase?: string };
}

export const namespaceHooks: KindHooks = {
  checkDelete(obj) {
    if ((SYSTEM_NAMESPACES as readonly string[]).includes(obj.metadata.name)) {
      throw forbidden({ group: '', resource: 'namespaces' }, obj.metadata.name, 'this namespace may not be deleted');
    }
  },
  markDeleting(obj) {
    const ns = obj as Stored & NamespaceShape;
    ns.spec = { ...ns.spec, finalizers: ns.spec?.finalizers?.length ? ns.spec.finalizers : [NAMESPACE_FINALIZER] };
    ns.status = { ...ns.status, phase: 'Terminating' };
    return true;
  },
  finalized(obj) {
    return !((obj as Stored & NamespaceShape).spec?.finalizers ?? []).length;
  },
  prepareCreate(obj) {
    const ns = obj as Stored & NamespaceShape;
    if (!ns.spec?.finalizers) ns.spec = { ...ns.spec, finalizers: [NAMESPACE_FINALIZER] };
    ns.status = { ...ns.status, phase: 'Active' };
  },
};

export interface NamespaceLifecycleDeps {
  namespaces: GenericRegistry;
  /** The registry of each namespaced resource, to empty a namespace. */
  registryFor(res: ResourceInfo): GenericRegistry;
  logger: Logger;
  /** Retry interval while objects with finalizers still linger (default 1 s). */
  retryMs?: number;
}

export interface NamespaceLifecycle {
  stop(): void;
}

/** Watches namespaces and finishes the deletion of terminating ones. */
export async function startNamespaceLifecycle(deps: NamespaceLifecycleDeps): Promise<NamespaceLifecycle> {
  const log = deps.logger.with({ component: 'namespace-lifecycle' });
  const retryMs = deps.retryMs ?? 1000;
  const busy = new Set<string>();
  const again = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  /** Looks at the namespace again after retryMs (never once stopped). */
  function retryLater(name: string): void {
    if (stopped) return;
    const t = setTimeout(() => {
      timers.delete(t);
      void finalize(name);
    }, retryMs);
    timers.add(t);
  }

  /** Deletes everything in the namespace; true when nothing is left. */
  async function empty(ns: string): Promise<boolean> {
    let left = 0;
    for (const res of RESOURCES) {
      if (!res.namespaced || !res.verbs.includes('delete')) continue;
      const reg = deps.registryFor(res);
      const list = await reg.list({ namespace: ns });
      for (const o of list.items) {
        try {
          const r = await reg.delete(ns, o.metadata.name, { propagationPolicy: 'Background' });
          if (!r.deleted) left++;
        } catch (e) {
          if ((e as { code?: number }).code !== 404) throw e;
        }
      }
    }
    return left === 0;
  }

  async function finalize(name: string): Promise<void> {
    if (stopped) return;
    if (busy.has(name)) {
      again.add(name);
      return;
    }
    busy.add(name);
    try {
      let ns: Stored;
      try {
        ns = await deps.namespaces.get(undefined, name);
      } catch {
        return; // already gone
      }
      if (!ns.metadata.deletionTimestamp) return;
      if (!(await empty(name))) {
        retryLater(name);
        return;
      }
      const spec = (ns as Stored & NamespaceShape).spec ?? {};
      const next = { ...ns, spec: { ...spec, finalizers: (spec.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER) } };
      const r = await deps.namespaces.update(undefined, name, next);
      if (((r.object as Stored & NamespaceShape).spec?.finalizers ?? []).includes(NAMESPACE_FINALIZER)) {
        // The update kept the finalizer (a strategy put it back): do not spin; look again later.
        log.warn('namespace finalizer could not be removed; retrying', { namespace: name });
        retryLater(name);
        return;
      }
      log.info('namespace finalized', { namespace: name });
    } catch (e) {
      if (stopped) return;
      log.warn('namespace finalization failed; retrying', { namespace: name, err: e });
      retryLater(name);
    } finally {
      busy.delete(name);
      if (again.delete(name)) void finalize(name);
    }
  }

  let watch: WatchHandle | undefined;
  /** Watches namespaces from their current state (initial ADDED events cover terminating ones). */
  async function startWatch(): Promise<void> {
    watch = await deps.namespaces.watch(
      {},
      {
        event(ev) {
          if ((ev.type === 'ADDED' || ev.type === 'MODIFIED') && ev.object.metadata?.deletionTimestamp) {
            void finalize(ev.object.metadata.name ?? '');
          }
        },
        end() {
          if (stopped) return;
          // The watch can end (store closed, history compacted): start again from the current state.
          log.warn('namespace watch ended; restarting');
          const t = setTimeout(() => {
            timers.delete(t);
            if (!stopped) startWatch().catch((e: unknown) => log.error('namespace watch restart failed', { err: e }));
          }, retryMs);
          timers.add(t);
        },
      },
    );
    if (stopped) watch.stop();
  }
  await startWatch();

  return {
    stop() {
      stopped = true;
      watch?.stop();
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

export const NAMESPACES_RESOURCE = findByPlural('', 'v1', 'namespaces')!;
