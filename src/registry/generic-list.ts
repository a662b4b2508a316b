// LIST with kube-apiserver's resourceVersion semantics and limit/continue paging.
import { StatusError, badRequest, gone } from '../api/errors.js';
import type { KubeObject, Stored } from '../api/object.js';
import { storagePrefix } from '../api/resources.js';
import { CompactedError } from '../store/types.js';
import type { GenericContext } from './generic-context.js';
import { decodeContinue, encodeContinue } from './generic-continue.js';
import type { ListOptions, ListResult } from './generic-types.js';
import { decode } from './generic-meta.js';

export const LIST_EXPIRED = 'The resourceVersion for the provided list is too old.';
export const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list ' +
  'without the continue parameter, or use the continue token in this response to retrieve the remainder of the ' +
  'results. Continuing with the provided token results in an inconsistent list - objects that were created, ' +
  'modified, or deleted between the time the first chunk was returned and now may show up in the list.';

export function parseResourceVersion(rv: string): number {
  if (!/^\d+$/.test(rv)) throw badRequest(`invalid resource version: "${rv}"`);
  return Number(rv);
}

export function tooLargeResourceVersion(requested: number, current: number): StatusError {
  return new StatusError(504, 'Timeout', `Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });
}

/** Builds the label+field predicate; throws 400 on bad syntax before anything is read. */
export function predicate(ctx: GenericContext, labelSelector?: string, fieldSelector?: string): (o: KubeObject) => boolean {
  const label = labelSelector ? ctx.deps.parseLabelSelector(labelSelector) : undefined;
  const field = fieldSelector ? ctx.deps.parseFieldSelector(fieldSelector, ctx.res) : undefined;
  const l = label && !label.empty ? label : undefined;
  if (!l && !field) return () => true;
  return (o) => (!l || l.matches(o.metadata?.labels)) && (!field || field.matches(o));
}

/** Which revision to read at, from resourceVersion/resourceVersionMatch/continue (0 = latest). */
async function readRevision(ctx: GenericContext, opts: ListOptions, prefix: string): Promise<{ revision: number; startAfter?: string }> {
  const rv = opts.resourceVersion ?? '';
  const match = opts.resourceVersionMatch ?? '';
  if (opts.continue) {
    if (rv && rv !== '0') throw badRequest('specifying resource version is not allowed when using continue');
    return decodeContinue(opts.continue, prefix);
  }
  if (match && match !== 'Exact' && match !== 'NotOlderThan') {
    throw badRequest(`resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`);
  }
  if (match && !rv) throw badRequest('resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
  if (!rv || rv === '0') {
    if (match === 'Exact') throw badRequest('resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    return { revision: 0 };
  }
  const wanted = parseResourceVersion(rv);
  const current = await ctx.store.currentRevision();
  if (wanted > current) throw tooLargeResourceVersion(wanted, current);
  // A bare resourceVersion with a limit is an exact (paged, consistent) read, as in kube-apiserver.
  const exact = match === 'Exact' || (!match && (opts.limit ?? 0) > 0);
  return { revision: exact ? wanted : 0 };
}

export async function listObjects(ctx: GenericContext, opts: ListOptions): Promise<ListResult> {
  const prefix = storagePrefix(ctx.res, ctx.res.namespaced ? opts.namespace : undefined);
  const matches = predicate(ctx, opts.labelSelector, opts.fieldSelector);
  const filtered = Boolean(opts.labelSelector || opts.fieldSelector);
  const limit = opts.limit && opts.limit > 0 ? Math.floor(opts.limit) : 0;
  const start = await readRevision(ctx, opts, prefix);
  let revision = start.revision;
  let startAfter = start.startAfter;
  const items: Stored[] = [];
  let lastKey = '';
  let more = false;
  let remaining = 0;
  for (;;) {
    let page;
    try {
      // With a selector a page may filter down to nothing: read in batches until `limit` match.
      page = await ctx.store.range(prefix, { revision, limit: limit ? Math.max(limit, filtered ? 500 : limit) : 0, startAfter });
    } catch (e) {
      if (e instanceof CompactedError) throw gone(opts.continue ? CONTINUE_EXPIRED : LIST_EXPIRED);
      throw e;
    }
    revision = page.revision;
    let stoppedAt = -1;
    for (let i = 0; i < page.items.length; i++) {
      const kv = page.items[i];
      const obj = decode(kv);
      if (!matches(obj)) {
        lastKey = kv.key;
        continue;
      }
      items.push(obj);
      lastKey = kv.key;
      if (limit && items.length === limit) {
        stoppedAt = i;
        break;
      }
    }
    if (stoppedAt >= 0) {
      const left = page.items.length - 1 - stoppedAt + page.remaining;
      more = left > 0;
      remaining = left;
      break;
    }
    if (!page.more) break;
    startAfter = lastKey;
  }
  const result: ListResult = { items, resourceVersion: String(revision) };
  if (more) {
    result.continue = encodeContinue(revision, lastKey, prefix);
    // Only exact without selectors, as kube-apiserver (it cannot know how many would match).
    if (!filtered) result.remainingItemCount = remaining;
  }
  return result;
}
