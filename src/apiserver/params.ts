// Query parameters shared by the verbs, parsed once with kube-apiserver's rules.
import { badRequest } from '../api/errors.js';
import type { DeleteOptions, ListOptions } from '../registry/generic-types.js';

export function dryRunOf(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw badRequest(`Invalid dryRun value: ${v}; supported values: "All"`);
  return values.length > 0;
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`invalid value for ${name}: ${v}`);
  return Number(v);
}

export function isWatch(q: URLSearchParams): boolean {
  const v = q.get('watch');
  return v === 'true' || v === '1';
}

export function listOptionsOf(q: URLSearchParams, namespace: string | undefined): ListOptions {
  const limit = intParam(q, 'limit');
  return {
    namespace,
    labelSelector: q.get('labelSelector') ?? undefined,
    fieldSelector: q.get('fieldSelector') ?? undefined,
    limit: limit && limit > 0 ? limit : undefined,
    continue: q.get('continue') || undefined,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: q.get('resourceVersionMatch') || undefined,
  };
}

export function timeoutSecondsOf(q: URLSearchParams): number | undefined {
  const t = intParam(q, 'timeoutSeconds');
  return t !== undefined && t > 0 ? t : undefined;
}

/** DeleteOptions from the query string, overlaid by a JSON body (kubectl sends the body). */
export function deleteOptionsOf(q: URLSearchParams, body: Record<string, unknown> | undefined): DeleteOptions {
  const opts: DeleteOptions = {
    dryRun: dryRunOf(q),
    propagationPolicy: q.get('propagationPolicy') ?? undefined,
    gracePeriodSeconds: intParam(q, 'gracePeriodSeconds'),
  };
  if (body) {
    if (body.kind !== undefined && body.kind !== 'DeleteOptions') throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (DeleteOptions)`);
    if (typeof body.propagationPolicy === 'string') opts.propagationPolicy = body.propagationPolicy;
    else if (body.orphanDependents === true) opts.propagationPolicy = 'Orphan';
    if (typeof body.gracePeriodSeconds === 'number') opts.gracePeriodSeconds = body.gracePeriodSeconds;
    if (Array.isArray(body.dryRun) && body.dryRun.length) {
      for (const v of body.dryRun) if (v !== 'All') throw badRequest(`Invalid dryRun value: ${String(v)}; supported values: "All"`);
      opts.dryRun = true;
    }
    const p = body.preconditions as { uid?: string; resourceVersion?: string } | undefined;
    if (p && typeof p === 'object') opts.preconditions = { uid: p.uid || undefined, resourceVersion: p.resourceVersion || undefined };
  }
  return opts;
}
