// The options and results of the generic registry's verbs: the in-process API that the HTTP
// handlers, the bootstrap, the namespace lifecycle and controllers all call.
import type { KubeObject, Stored } from '../api/object.js';

export interface ListOptions {
  /** Namespace to list in; undefined = all namespaces (or a cluster-scoped resource). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResult {
  items: Stored[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface WriteOptions {
  dryRun?: boolean;
  /** Who writes: recorded in metadata.managedFields (operation Update) when given. */
  fieldManager?: string;
  /** Internal: the write comes from server-side apply, whose managedFields are already set. */
  applied?: boolean;
  /** Internal: the write is to the status subresource. */
  status?: boolean;
}

export interface DeleteOptions extends WriteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
  gracePeriodSeconds?: number;
}

export interface DeleteResult {
  object: Stored;
  /** false when finalizers keep the object (it now carries a deletionTimestamp). */
  deleted: boolean;
}

export interface PatchOptions extends WriteOptions {
  force?: boolean;
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** unset or "0": synthetic ADDED events for the current state first, then changes. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /**
   * WatchList (sendInitialEvents=true): ADDED events for the current state whatever the
   * resourceVersion, then (with bookmarks allowed) a BOOKMARK annotated
   * `k8s.io/initial-events-end: "true"`.
   */
  sendInitialEvents?: boolean;
  /** How often to send BOOKMARK events when allowed (default 60 s, as kube-apiserver roughly does). */
  bookmarkIntervalMs?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
}

export interface WatchSink {
  event(ev: WatchEvent): void;
  /** The watch ended on its own (store closed, history compacted); no more events follow. */
  end?(): void;
}

export interface WatchHandle {
  stop(): void;
}
