// What this controller last wrote to each slice (pkg/controller/endpointslice's
// endpointSliceTracker): the generation it expects the cache to show, or that it expects a
// slice gone. A sync on a cache that has not yet caught up with our own writes would otherwise
// create duplicate slices or undo a change; such a sync is retried instead.
// Upstream compares metadata.generation, which kube-apiserver bumps on every slice change; our
// registry keeps generation for objects with a spec only, so we compare resourceVersions, which
// our stores number with increasing revisions.
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { deletedObject, type EventHandlers } from '../client/informer.js';
import { LABEL_SERVICE_NAME } from './endpointslice-reconciler.js';

const DELETED = -1;

function version(slice: EndpointSlice): number {
  const rv = Number(slice.metadata?.resourceVersion ?? 0);
  return Number.isFinite(rv) ? rv : 0;
}

/** How soon a sync that found the cache behind our own writes looks again (events usually come first). */
export const STALE_RETRY_MS = 100;

export class EndpointSliceTracker {
  /** service key → slice uid → resourceVersion expected at least (DELETED: expected gone). */
  private readonly expected = new Map<string, Map<string, number>>();

  private forService(key: string): Map<string, number> {
    let m = this.expected.get(key);
    if (!m) this.expected.set(key, (m = new Map()));
    return m;
  }

  /** Record a slice as written by us (create or update response). */
  update(serviceKey: string, slice: EndpointSlice): void {
    const uid = slice.metadata?.uid;
    if (uid) this.forService(serviceKey).set(uid, version(slice));
  }

  expectDeletion(serviceKey: string, slice: EndpointSlice): void {
    const uid = slice.metadata?.uid;
    if (uid) this.forService(serviceKey).set(uid, DELETED);
  }

  /** The cache saw a slice disappear: nothing more to expect of it. */
  handleDeletion(serviceKey: string, slice: EndpointSlice): void {
    const uid = slice.metadata?.uid;
    const m = this.expected.get(serviceKey);
    if (!uid || !m) return;
    m.delete(uid);
    if (m.size === 0) this.expected.delete(serviceKey);
  }

  /** Does the cache show something a write of ours is known to have changed? */
  stale(serviceKey: string, cached: readonly EndpointSlice[]): boolean {
    const m = this.expected.get(serviceKey);
    if (!m) return false;
    const seen = new Map<string, number>();
    for (const s of cached) if (s.metadata?.uid) seen.set(s.metadata.uid, version(s));
    for (const [uid, gen] of m) {
      const have = seen.get(uid);
      if (gen === DELETED) {
        if (have !== undefined) return true;
        continue;
      }
      if (have === undefined || have < gen) return true;
    }
    return false;
  }

  deleteService(serviceKey: string): void {
    this.expected.delete(serviceKey);
  }
}

/**
 * Handlers for a controller's view of the slices it manages (`ours`): any change by others, or the
 * cache catching up, re-syncs the owning Service; a deletion is also recorded by the tracker.
 */
export function ownSliceHandlers(ours: (s: EndpointSlice) => boolean, enqueue: (serviceKey: string) => void, tracker: EndpointSliceTracker): EventHandlers<EndpointSlice> {
  const owner = (s: EndpointSlice) => {
    const svc = s.metadata?.labels?.[LABEL_SERVICE_NAME];
    return svc ? `${s.metadata?.namespace ?? ''}/${svc}` : undefined;
  };
  const onSlice = (s: EndpointSlice) => {
    const key = ours(s) ? owner(s) : undefined;
    if (key) enqueue(key);
  };
  return {
    onAdd: onSlice,
    onUpdate: (_o, s) => onSlice(s),
    onDelete: (x) => {
      const s = deletedObject(x);
      const key = owner(s);
      if (key) tracker.handleDeletion(key, s);
      onSlice(s);
    },
  };
}
