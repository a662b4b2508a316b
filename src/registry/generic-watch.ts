// WATCH over the store's revision-ordered events, shaped as kube-apiserver's watch:
// initial ADDED events when no resourceVersion is given, selector-aware event types (an object
// leaving the selector is DELETED for this watcher, entering it is ADDED), BOOKMARKs, and a 410
// ERROR event when the requested history is gone.
import { gone, internalError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { apiVersionOf, storagePrefix } from '../api/resources.js';
import { CompactedError, type WatchEvent as StoreEvent } from '../store/types.js';
import type { GenericContext } from './generic-context.js';
import { parseResourceVersion, predicate, tooLargeResourceVersion } from './generic-list.js';
import { decode } from './generic-meta.js';
import type { WatchEvent, WatchHandle, WatchOptions, WatchSink } from './generic-types.js';

const DEFAULT_BOOKMARK_MS = 60_000;

export function tooOldResourceVersion(requested: number, oldest: number) {
  return gone(`too old resource version: ${requested} (${oldest})`);
}

function translate(ev: StoreEvent, matches: (o: KubeObject) => boolean): WatchEvent | undefined {
  const obj = decode(ev.kv);
  if (ev.type === 'delete') return matches(obj) ? { type: 'DELETED', object: obj } : undefined;
  const now = matches(obj);
  const before = ev.prevKv ? matches(decode(ev.prevKv)) : false;
  if (now && before) return { type: 'MODIFIED', object: obj };
  if (now) return { type: 'ADDED', object: obj };
  if (before) return { type: 'DELETED', object: obj };
  return undefined;
}

export async function watchObjects(ctx: GenericContext, opts: WatchOptions, sink: WatchSink): Promise<WatchHandle> {
  const prefix = storagePrefix(ctx.res, ctx.res.namespaced ? opts.namespace : undefined);
  const matches = predicate(ctx, opts.labelSelector, opts.fieldSelector);
  const rv = opts.resourceVersion ?? '';
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let lastRevision: number;
  const finish = () => {
    if (stopped) return;
    stopped = true;
    if (timer) clearInterval(timer);
    sink.end?.();
  };

  if (!rv || rv === '0' || opts.sendInitialEvents) {
    if (opts.sendInitialEvents && rv && rv !== '0') {
      const current = await ctx.store.currentRevision();
      const wanted = parseResourceVersion(rv);
      if (wanted > current) throw tooLargeResourceVersion(wanted, current);
    }
    const snapshot = await ctx.store.range(prefix);
    lastRevision = snapshot.revision;
    for (const kv of snapshot.items) {
      const obj = decode(kv);
      if (matches(obj)) sink.event({ type: 'ADDED', object: obj });
    }
    if (opts.sendInitialEvents && opts.allowWatchBookmarks) {
      sink.event({
        type: 'BOOKMARK',
        object: {
          kind: ctx.res.kind,
          apiVersion: apiVersionOf(ctx.res),
          metadata: { resourceVersion: String(lastRevision), annotations: { 'k8s.io/initial-events-end': 'true' } },
        },
      });
    }
  } else {
    lastRevision = parseResourceVersion(rv);
  }

  let handle: { cancel(): void };
  try {
    handle = ctx.store.watch(prefix, {
      afterRevision: lastRevision,
      onEvents(events) {
        for (const ev of events) {
          if (stopped) return;
          lastRevision = Math.max(lastRevision, ev.kv.modRevision);
          const out = translate(ev, matches);
          if (out) sink.event(out);
        }
      },
      onError(err) {
        if (stopped) return;
        const status = err instanceof CompactedError ? tooOldResourceVersion(err.requested, err.compacted) : internalError(err);
        sink.event({ type: 'ERROR', object: status.toStatus() as unknown as KubeObject });
        finish();
      },
    });
  } catch (e) {
    if (!(e instanceof CompactedError)) throw e;
    sink.event({ type: 'ERROR', object: tooOldResourceVersion(lastRevision, e.compacted).toStatus() as unknown as KubeObject });
    finish();
    return { stop() {} };
  }

  if (opts.allowWatchBookmarks) {
    timer = setInterval(() => {
      if (stopped) return;
      sink.event({
        type: 'BOOKMARK',
        object: { kind: ctx.res.kind, apiVersion: apiVersionOf(ctx.res), metadata: { resourceVersion: String(lastRevision) } },
      });
    }, opts.bookmarkIntervalMs ?? DEFAULT_BOOKMARK_MS);
    timer.unref();
  }

  return {
    stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearInterval(timer);
      handle.cancel();
    },
  };
}
