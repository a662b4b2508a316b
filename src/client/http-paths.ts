// REST paths and query strings as kube-apiserver routes them (and as client-go builds them).
import type { ResourceInfo } from '../api/resources.js';
import type { DeleteOptions, ListOptions, WatchOptions } from './transport.js';

export function resourcePath(res: ResourceInfo, namespace: string | undefined, name?: string, subresource?: string): string {
  let p = res.group ? `/apis/${res.group}/${res.version}` : `/api/${res.version}`;
  if (res.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${res.plural}`;
  if (name !== undefined) {
    if (!name) throw new Error(`resource name may not be empty`);
    p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
  }
  return p;
}

type Params = Record<string, string | number | boolean | undefined>;

export function query(params: Params): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function listQuery(opts: ListOptions): string {
  return query({
    labelSelector: opts.labelSelector,
    fieldSelector: opts.fieldSelector,
    limit: opts.limit,
    continue: opts.continue,
    resourceVersion: opts.resourceVersion,
    resourceVersionMatch: opts.resourceVersionMatch,
  });
}

export function watchQuery(opts: WatchOptions): string {
  return query({
    watch: true,
    labelSelector: opts.labelSelector,
    fieldSelector: opts.fieldSelector,
    resourceVersion: opts.resourceVersion,
    allowWatchBookmarks: opts.allowWatchBookmarks || undefined,
    timeoutSeconds: opts.timeoutSeconds,
  });
}

export function writeQuery(opts: { dryRun?: boolean; fieldManager?: string; force?: boolean }): string {
  return query({ dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager, force: opts.force });
}

/** DeleteOptions travel as a JSON body, as kubectl sends them. */
export function deleteBody(opts: DeleteOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
  if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
  if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
  if (opts.preconditions) body.preconditions = opts.preconditions;
  if (opts.dryRun) body.dryRun = ['All'];
  return body;
}
