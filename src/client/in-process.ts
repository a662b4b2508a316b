// The in-process transport: calls the Registry directly (no HTTP, no JSON on the wire) for
// components running inside the apiserver's process. Objects are cloned in both directions so a
// caller mutating what it sent or got back can never touch what another caller holds, exactly as
// if they had crossed a socket.
import { parse as parseYaml } from 'yaml';
import { badRequest } from '../api/errors.js';
import type { Registry } from '../registry/index.js';
import { toStatusError } from './errors.js';
import { stampKind } from './objects.js';
import type { PatchType, Transport, WatchEvent, WatchHandle } from './transport.js';

/**
 * A JSON round-trip, not structuredClone: what comes back must be exactly what the HTTP transport
 * would return (no `undefined` members, no Dates), so code never behaves differently in-process.
 */
function wire<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return wire(await fn());
  } catch (e) {
    throw toStatusError(e);
  }
}

async function mappedErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toStatusError(e);
  }
}

/** A patch given as text is parsed as the HTTP edge would (YAML for apply, JSON otherwise). */
function patchValue(type: PatchType, patch: unknown): unknown {
  if (typeof patch !== 'string') return wire(patch);
  try {
    return type === 'application/apply-patch+yaml' ? parseYaml(patch) : JSON.parse(patch);
  } catch (e) {
    throw badRequest(`error decoding patch: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function inProcessTransport(registry: Registry): Transport {
  const watches = new Set<WatchHandle>();
  return {
    name: 'in-process',
    get: (res, ns, name) => mapped(() => registry.get(res, ns, name)),
    list: (res, opts) =>
      mapped(async () => {
        const r = await registry.list(res, { ...opts });
        for (const item of r.items) stampKind(res, item);
        const out: Awaited<ReturnType<Transport['list']>> = { items: r.items, resourceVersion: r.resourceVersion };
        if (r.continue) out.continue = r.continue;
        if (r.remainingItemCount !== undefined) out.remainingItemCount = r.remainingItemCount;
        return out;
      }),
    create: (res, ns, obj, opts) => mapped(() => registry.create(res, ns, wire(obj), opts)),
    update: (res, ns, name, obj, opts) => mapped(() => registry.update(res, ns, name, wire(obj), opts)),
    updateStatus: (res, ns, name, obj, opts) => mapped(() => registry.updateStatus(res, ns, name, wire(obj), opts)),
    patch: (res, ns, name, type, patch, opts) =>
      mapped(async () => {
        const { subresource, ...rest } = opts;
        if (rest.force !== undefined && type !== 'application/apply-patch+yaml') throw badRequest('force flag is only valid for apply patches');
        // Registry.patch waits for a registry that is still starting; `for()` (needed for /status) does not.
        const value = patchValue(type, patch);
        const r = subresource ? await registry.for(res).patch(ns, name, type, value, rest, subresource) : await registry.patch(res, ns, name, type, value, rest);
        return r.object;
      }),
    delete: (res, ns, name, opts) => mapped(async () => (await registry.delete(res, ns, name, opts)).object),
    watch: (res, opts, handlers) =>
      mappedErrors(async () => {
        let stopped = false;
        // The registry may end the watch (a 410 ERROR) before it returns its handle.
        const inner: { handle?: WatchHandle } = {};
        const handle: WatchHandle = {
          stop() {
            if (stopped) return;
            stopped = true;
            watches.delete(handle);
            inner.handle?.stop();
          },
        };
        inner.handle = await registry.watch(
          res,
          {
            namespace: opts.namespace,
            labelSelector: opts.labelSelector,
            fieldSelector: opts.fieldSelector,
            resourceVersion: opts.resourceVersion,
            allowWatchBookmarks: opts.allowWatchBookmarks,
          },
          {
            event(ev) {
              if (stopped) return;
              // The registry decodes each event's object for this watcher alone and never touches
              // it again (Registry.watch), so it is already what the wire would give: copying it
              // again cost ~10% of the process's CPU in a 100-pod burst (~8 watchers per pod).
              // A Status (ERROR) may hold undefined members: that one still takes the wire form.
              const object = ev.type === 'ERROR' ? wire(ev.object) : ev.object;
              // Watch events over HTTP carry kind/apiVersion; keep the two transports alike.
              if (ev.type !== 'ERROR' && ev.type !== 'BOOKMARK') stampKind(res, object);
              // A throwing consumer ends its own watch; it must not escape into the store's
              // event fan-out, where it would disturb every other watcher.
              try {
                handlers.onEvent({ type: ev.type, object } as WatchEvent);
              } catch (e) {
                handle.stop();
                handlers.onEnd(e instanceof Error ? e : new Error(String(e)));
              }
            },
            end() {
              if (stopped) return;
              stopped = true;
              watches.delete(handle);
              handlers.onEnd();
            },
          },
        );
        if (stopped) inner.handle.stop();
        else watches.add(handle);
        return handle;
      }),
    close() {
      for (const w of [...watches]) w.stop();
    },
  };
}
