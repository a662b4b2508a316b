// The one interface both transports implement: untyped verbs on a resource. The typed Client
// (client.ts) sits on top; the informer only needs list and watch. Every failure is a StatusError
// (see errors.ts), except network failures of the HTTP transport, which stay plain Errors
// (ECONNREFUSED and the like) so callers can tell "the server said no" from "no server".
import type { KubeObject } from '../api/object.js';
import type { ResourceInfo } from '../api/resources.js';
import type { ApiObject } from './objects.js';

export interface ListOptions {
  /** undefined: all namespaces (or a cluster-scoped resource). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  /** unset: the latest state (a consistent read). */
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface ListResult<T extends ApiObject = KubeObject> {
  /** Each item carries kind and apiVersion, whichever transport carried it. */
  items: T[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
}

export type PatchType =
  | 'application/merge-patch+json'
  | 'application/strategic-merge-patch+json'
  | 'application/json-patch+json'
  | 'application/apply-patch+yaml';

export interface PatchOptions extends WriteOptions {
  /** Server-side apply only. */
  force?: boolean;
  /** Patch the status subresource instead of the object. */
  subresource?: 'status';
}

export interface DeleteOptions extends WriteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** unset or "0": ADDED events for the current state first, then changes; else changes after this version. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** Ask the server to end the watch after this long (HTTP only; in-process watches run until stopped). */
  timeoutSeconds?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T extends ApiObject = KubeObject> {
  type: WatchEventType;
  /** For ERROR: a meta/v1 Status (turn it into a StatusError with `fromStatus`). */
  object: T;
}

export interface WatchHandlers<T extends ApiObject = KubeObject> {
  onEvent(ev: WatchEvent<T>): void;
  /**
   * The watch is over and no more events follow. `err` is set when it ended abnormally (connection
   * lost, stream corrupt); a clean end (server timeout, server shutting down) has none. Not called
   * after the caller's own `stop()`.
   */
  onEnd(err?: Error): void;
}

export interface WatchHandle {
  stop(): void;
}

export interface Transport {
  /** For logs: "in-process" or the server URL. */
  readonly name: string;
  get(res: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject>;
  list(res: ResourceInfo, opts: ListOptions): Promise<ListResult>;
  create(res: ResourceInfo, namespace: string | undefined, obj: KubeObject, opts: WriteOptions): Promise<KubeObject>;
  update(res: ResourceInfo, namespace: string | undefined, name: string, obj: KubeObject, opts: WriteOptions): Promise<KubeObject>;
  updateStatus(res: ResourceInfo, namespace: string | undefined, name: string, obj: KubeObject, opts: WriteOptions): Promise<KubeObject>;
  patch(res: ResourceInfo, namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts: PatchOptions): Promise<KubeObject>;
  /** Returns the object as the server last had it (with a deletionTimestamp if finalizers keep it). */
  delete(res: ResourceInfo, namespace: string | undefined, name: string, opts: DeleteOptions): Promise<KubeObject>;
  /** Resolves once the watch is established; rejects (StatusError) if the server refused it outright. */
  watch(res: ResourceInfo, opts: WatchOptions, handlers: WatchHandlers): Promise<WatchHandle>;
  /** Ends open watches and idle connections. */
  close(): void;
}
