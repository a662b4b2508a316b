// The informer: list, then watch from the list's resourceVersion, keeping a local cache and telling
// handlers what changed (client-go's reflector + shared informer, in one small state machine).
//
//   relist ──ok──▶ watch(rv) ──events──▶ cache + handlers
//     ▲  │fail        │ 410 Gone: relist at once
//     │  ▼            │ clean end (server timeout): watch again from the last rv
//   backoff ◀─────────┘ error / connection lost: back off, then relist
//
// A relist replaces the cache: objects that vanished while the watch was down are delivered as
// deletes carrying a DeletedFinalStateUnknown tombstone (their last known state). A handler that
// throws is logged and skipped; it never stops the informer or the other handlers.
import { silentLogger, type Logger } from '../util/log.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { Indexer, type IndexFunc } from './cache.js';
import type { ResourceClient } from './client.js';
import { realClock, type Clock, type TimerHandle } from './clock.js';
import { fromStatus, isGone } from './errors.js';
import { createLister, type Lister } from './lister.js';
import { objectKey, type ApiObject } from './objects.js';
import type { WatchEvent, WatchHandle } from './transport.js';

/** A delete the informer did not see happen: the object was gone at a relist. `obj` is its last known state. */
export interface DeletedFinalStateUnknown<T> {
  readonly key: string;
  readonly obj: T;
  readonly finalStateUnknown: true;
}

export function isTombstone<T>(v: T | DeletedFinalStateUnknown<T>): v is DeletedFinalStateUnknown<T> {
  return typeof v === 'object' && v !== null && (v as { finalStateUnknown?: unknown }).finalStateUnknown === true;
}

/** The object of a delete notification, whether it was seen or inferred at a relist. */
export function deletedObject<T>(v: T | DeletedFinalStateUnknown<T>): T {
  return isTombstone(v) ? v.obj : v;
}

export interface EventHandlers<T> {
  /** `initialList`: delivered as part of the first list (or a replay to a handler added late). */
  onAdd?(obj: T, initialList: boolean): void;
  /** Also called with old === cur on a periodic resync. */
  onUpdate?(old: T, cur: T): void;
  onDelete?(obj: T | DeletedFinalStateUnknown<T>): void;
}

export interface Registration {
  remove(): void;
}

export interface InformerOptions<T extends ApiObject> {
  client: ResourceClient<T>;
  /** Watch one namespace only (default: all). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  indexers?: Record<string, IndexFunc<T>>;
  /** Call onUpdate(obj, obj) for every cached object this often (0/undefined: never). */
  resyncPeriodMs?: number;
  clock?: Clock;
  backoff?: BackoffOptions;
  logger?: Logger;
  /** Ask the server to end each watch after this many seconds (default: random in [300, 600), as client-go). */
  watchTimeoutSeconds?: () => number;
  /** A watch that ran at least this long before it failed restarts the backoff from its first step (default 10 s). */
  healthyWatchMs?: number;
  /** List page size (default 500). */
  pageSize?: number;
  /**
   * Applied to every listed or watched object before it is cached or handed to handlers (client-go's
   * SetTransform): a component that needs a few fields keeps only those. Must keep name, namespace
   * and resourceVersion.
   */
  transform?: (obj: T) => T;
}

export interface Informer<T extends ApiObject> {
  readonly lister: Lister<T>;
  /** The cache with its indexes (read-only use). */
  readonly indexer: Indexer<T>;
  addEventHandler(h: EventHandlers<T>): Registration;
  addIndexers(indexers: Record<string, IndexFunc<T>>): void;
  start(): void;
  stop(): void;
  hasSynced(): boolean;
  /** Resolves once the first list is in the cache and delivered; rejects if stopped or aborted first. */
  waitForSync(signal?: AbortSignal): Promise<void>;
  /** The resourceVersion the cache reflects (last list, watch event or bookmark). */
  lastSyncResourceVersion(): string;
}

/** A watch that ends cleanly sooner than this is not trusted to be healthy. */
const MIN_HEALTHY_WATCH_MS = 1000;

type Phase = 'idle' | 'listing' | 'watching' | 'waiting' | 'stopped';

export function createInformer<T extends ApiObject>(opts: InformerOptions<T>): Informer<T> {
  const res = opts.client.resource;
  const clock = opts.clock ?? realClock;
  const log = (opts.logger ?? silentLogger).with({ informer: `${res.group}/${res.plural}`, namespace: opts.namespace });
  const backoff = new Backoff(opts.backoff);
  const indexer = new Indexer<T>(opts.indexers);
  const lister = createLister(indexer);
  const handlers = new Set<EventHandlers<T>>();
  const timeoutSeconds = opts.watchTimeoutSeconds ?? (() => Math.floor(300 + Math.random() * 300));
  const healthyWatchMs = opts.healthyWatchMs ?? 10_000;
  const pageSize = opts.pageSize ?? 500;

  let phase: Phase = 'idle';
  let synced = false;
  let rv = '';
  /** Bumped whenever a list or watch is abandoned, so late callbacks from it are ignored. */
  let generation = 0;
  let watch: WatchHandle | undefined;
  let watchStartedAt = 0;
  let retryTimer: TimerHandle | undefined;
  let resyncTimer: TimerHandle | undefined;
  const waiters = new Set<{ resolve(): void; reject(e: Error): void }>();

  function call<A extends unknown[]>(what: string, fn: ((...a: A) => void) | undefined, ...args: A): void {
    if (!fn) return;
    const failed = (e: unknown) => log.error('event handler failed', { handler: what, err: e });
    try {
      // An async handler's rejection would otherwise be unhandled and take the process down.
      const r: unknown = fn(...args);
      if (r instanceof Promise) r.catch(failed);
    } catch (e) {
      failed(e);
    }
  }

  const notifyAdd = (obj: T, initial: boolean) => {
    for (const h of handlers) call('add', h.onAdd, obj, initial);
  };
  const notifyUpdate = (old: T, cur: T) => {
    for (const h of handlers) call('update', h.onUpdate, old, cur);
  };
  const notifyDelete = (obj: T | DeletedFinalStateUnknown<T>) => {
    for (const h of handlers) call('delete', h.onDelete, obj);
  };

  function clearRetry(): void {
    if (retryTimer !== undefined) clock.clearTimeout(retryTimer);
    retryTimer = undefined;
  }

  function abandonWatch(): void {
    generation++;
    const w = watch;
    watch = undefined;
    w?.stop();
  }

  function schedule(fn: () => void, ms: number): void {
    clearRetry();
    phase = 'waiting';
    retryTimer = clock.setTimeout(() => {
      retryTimer = undefined;
      if (phase === 'waiting') fn();
    }, ms);
  }

  /** Something failed: wait (capped exponential backoff with jitter), then relist. */
  function failed(what: string, err: unknown): void {
    if (phase === 'stopped') return;
    abandonWatch();
    if (watchStartedAt && clock.now() - watchStartedAt >= healthyWatchMs) backoff.reset();
    watchStartedAt = 0;
    const delay = backoff.next();
    log.warn(`${what} failed; relisting after backoff`, { err, delayMs: delay });
    schedule(relist, delay);
  }

  function replace(items: T[], listRv: string): void {
    const initial = !synced;
    const seen = new Set<string>();
    for (const item of items) {
      const obj = opts.transform ? opts.transform(item) : item;
      const key = objectKey(obj);
      seen.add(key);
      const old = indexer.set(key, obj);
      if (!old) notifyAdd(obj, initial);
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) notifyUpdate(old, obj);
    }
    for (const key of indexer.keys()) {
      if (seen.has(key)) continue;
      const old = indexer.delete(key) as T;
      notifyDelete({ key, obj: old, finalStateUnknown: true });
    }
    rv = listRv;
  }

  async function relist(): Promise<void> {
    if (phase === 'stopped') return;
    abandonWatch();
    phase = 'listing';
    const gen = generation;
    let list;
    try {
      list = await opts.client.listAll({ namespace: opts.namespace, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector }, pageSize);
    } catch (e) {
      if (gen !== generation || phase !== 'listing') return;
      // A continue token that expired mid-list (410) is just another reason to list again.
      failed('list', e);
      return;
    }
    if (gen !== generation || phase !== 'listing') return;
    replace(list.items, list.resourceVersion);
    if (!synced) {
      synced = true;
      for (const w of waiters) w.resolve();
      waiters.clear();
      scheduleResync();
      log.debug('synced', { items: indexer.size, resourceVersion: rv });
    }
    startWatch();
  }

  function onWatchEvent(ev: WatchEvent<T>): void {
    const obj = opts.transform && ev.type !== 'ERROR' && ev.type !== 'BOOKMARK' ? opts.transform(ev.object) : ev.object;
    switch (ev.type) {
      case 'ADDED':
      case 'MODIFIED': {
        const key = objectKey(obj);
        const old = indexer.set(key, obj);
        if (old) notifyUpdate(old, obj);
        else notifyAdd(obj, false);
        break;
      }
      case 'DELETED': {
        const key = objectKey(obj);
        indexer.delete(key);
        // The final state the server sent, which may be newer than what we cached.
        notifyDelete(obj);
        break;
      }
      case 'BOOKMARK':
        break;
      case 'ERROR': {
        const err = fromStatus(obj, 500);
        if (isGone(err)) {
          log.info('watch history is gone; relisting', { err: err.message });
          abandonWatch();
          void relist();
        } else failed('watch', err);
        return;
      }
    }
    const v = obj.metadata?.resourceVersion;
    if (v) rv = v;
  }

  function startWatch(): void {
    if (phase === 'stopped') return;
    abandonWatch();
    phase = 'watching';
    const gen = generation;
    watchStartedAt = clock.now();
    opts.client
      .watch(
        {
          namespace: opts.namespace,
          labelSelector: opts.labelSelector,
          fieldSelector: opts.fieldSelector,
          resourceVersion: rv,
          allowWatchBookmarks: true,
          timeoutSeconds: timeoutSeconds(),
        },
        {
          onEvent(ev) {
            if (gen === generation) onWatchEvent(ev);
          },
          onEnd(err) {
            if (gen !== generation) return;
            watch = undefined;
            if (err) return failed('watch', err);
            // A clean end (the server's timeout, or it shutting down): carry on from where we are;
            // at once after a healthy run, after a backoff if watches keep ending right away.
            const ranMs = clock.now() - watchStartedAt;
            if (ranMs >= MIN_HEALTHY_WATCH_MS) {
              backoff.reset();
              startWatch();
            } else schedule(startWatch, backoff.next());
          },
        },
      )
      .then(
        (h) => {
          if (gen === generation) watch = h;
          else h.stop();
        },
        (e: unknown) => {
          if (gen !== generation) return;
          if (isGone(e)) {
            abandonWatch();
            void relist();
          } else failed('watch', e);
        },
      );
  }

  function scheduleResync(): void {
    const period = opts.resyncPeriodMs ?? 0;
    if (period <= 0 || phase === 'stopped') return;
    resyncTimer = clock.setTimeout(() => {
      resyncTimer = undefined;
      if (phase === 'stopped') return;
      for (const obj of indexer.list()) notifyUpdate(obj, obj);
      scheduleResync();
    }, period);
  }

  return {
    lister,
    indexer,
    addEventHandler(h) {
      handlers.add(h);
      // A late handler first hears about everything already cached, as client-go does.
      if (synced) for (const obj of indexer.list()) call('add', h.onAdd, obj, true);
      return { remove: () => handlers.delete(h) };
    },
    addIndexers: (ix) => indexer.addIndexers(ix),
    start() {
      if (phase !== 'idle') return;
      void relist();
    },
    stop() {
      if (phase === 'stopped') return;
      phase = 'stopped';
      abandonWatch();
      clearRetry();
      if (resyncTimer !== undefined) clock.clearTimeout(resyncTimer);
      for (const w of waiters) w.reject(new Error(`informer for ${res.plural} stopped before it synced`));
      waiters.clear();
    },
    hasSynced: () => synced,
    waitForSync(signal) {
      if (synced) return Promise.resolve();
      if (phase === 'stopped') return Promise.reject(new Error(`informer for ${res.plural} stopped before it synced`));
      return new Promise<void>((resolve, reject) => {
        const w = {
          resolve() {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
          reject(e: Error) {
            signal?.removeEventListener('abort', onAbort);
            reject(e);
          },
        };
        const onAbort = () => {
          waiters.delete(w);
          reject(signal?.reason instanceof Error ? signal.reason : new Error('waitForSync aborted'));
        };
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        waiters.add(w);
      });
    },
    lastSyncResourceVersion: () => rv,
  };
}
