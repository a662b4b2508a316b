// The REST verbs on a routed resource: GET (get/list/watch), POST (create), PUT (update),
// PATCH, DELETE (item and collection), and the status/scale/ephemeralcontainers subresources. Streaming subresources
// (log, exec, attach, portforward, proxy) belong to the node agent and answer 503 until it serves them.
import { StatusError, badRequest, methodNotAllowed, pathNotFound, serviceUnavailable } from '../api/errors.js';
import type { KubeObject, Stored } from '../api/object.js';
import { apiVersionOf, isReview } from '../api/resources.js';
import { bindPod, successStatus } from '../registry/generic-binding.js';
import { getScale, patchScale, updateScale } from '../registry/generic-scale.js';
import { decodeObject, decodePatch, mediaType, readBody } from './body.js';
import { checkFields, fieldValidationOf } from './field-validation.js';
import { negotiate } from './negotiate.js';
import { deleteOptionsOf, dryRunOf, isWatch, listOptionsOf } from './params.js';
import { answerReview } from './reviews.js';
import type { RequestContext } from './request.js';
import { writeJson } from './respond.js';
import { parseIncludeObject, partialMetadata, toTable } from './shapes.js';
import { serveWatch } from './watch-stream.js';

const STREAM_SUBRESOURCES = ['log', 'exec', 'attach', 'portforward', 'proxy'];
const SCALE_KINDS = ['apps/deployments', 'apps/replicasets', 'apps/statefulsets'];

/** Writes one object in the negotiated shape. */
function writeObject(c: RequestContext, code: number, obj: KubeObject): number {
  const shape = c.req.method === 'GET' ? negotiate(c.req) : 'object';
  if (shape === 'table') {
    writeJson(c.res, code, toTable(c.route.res, [obj], parseIncludeObject(c.url.searchParams.get('includeObject')), { resourceVersion: obj.metadata?.resourceVersion }));
  } else if (shape === 'partial') {
    writeJson(c.res, code, partialMetadata(obj));
  } else {
    writeJson(c.res, code, obj);
  }
  return code;
}

function verbAllowed(c: RequestContext, verb: string): void {
  if (!c.route.res.verbs.includes(verb)) throw methodNotAllowed(verb, c.route.res.kind);
}

async function list(c: RequestContext): Promise<number> {
  verbAllowed(c, 'list');
  const { route, url } = c;
  const shape = negotiate(c.req);
  const result = await c.registry.list(route.res, listOptionsOf(url.searchParams, route.namespace));
  const listMeta: Record<string, unknown> = { resourceVersion: result.resourceVersion };
  if (result.continue) listMeta.continue = result.continue;
  if (result.remainingItemCount !== undefined) listMeta.remainingItemCount = result.remainingItemCount;
  if (shape === 'table') {
    writeJson(c.res, 200, toTable(route.res, result.items, parseIncludeObject(url.searchParams.get('includeObject')), listMeta));
  } else if (shape === 'partial') {
    writeJson(c.res, 200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: listMeta, items: result.items.map(partialMetadata) });
  } else {
    // Items in a list carry no kind/apiVersion, as kube-apiserver's lists.
    const items = result.items.map((o: Stored) => {
      const { kind: _k, apiVersion: _a, ...rest } = o;
      return rest;
    });
    writeJson(c.res, 200, { kind: route.res.listKind, apiVersion: apiVersionOf(route.res), metadata: listMeta, items });
  }
  return 200;
}

async function readObject(c: RequestContext): Promise<KubeObject> {
  return decodeObject(await readBody(c.req, c.maxRequestBytes), c.req.headers['content-type']);
}

/** A create/update body, checked against the kind's schema as fieldValidation asks. */
async function readChecked(c: RequestContext): Promise<KubeObject> {
  const obj = await readObject(c);
  // Protobuf cannot carry unknown fields; the subresources' bodies are other kinds.
  if (mediaType(c.req.headers['content-type']) === 'application/vnd.kubernetes.protobuf' || c.route.subresource === 'scale') return obj;
  const warnings = checkFields(obj, c.route.res, fieldValidationOf(c.url.searchParams));
  if (warnings.length) c.res.setHeader('Warning', warnings);
  return obj;
}

async function handleGet(c: RequestContext): Promise<number> {
  const { route, url } = c;
  if (!route.name) return isWatch(url.searchParams) || route.legacyWatch ? (verbAllowed(c, 'watch'), serveWatch(c)) : list(c);
  if (isWatch(url.searchParams) || route.legacyWatch) {
    verbAllowed(c, 'watch');
    return serveWatch(c);
  }
  verbAllowed(c, 'get');
  if (route.subresource === 'scale') return writeObject(c, 200, await getScale(c.registry.for(route.res), route.namespace, route.name));
  return writeObject(c, 200, await c.registry.get(route.res, route.namespace, route.name));
}

async function handlePost(c: RequestContext): Promise<number> {
  const { route, url } = c;
  if (route.name && (route.subresource === 'binding' || route.subresource === 'eviction')) {
    const body = await readObject(c);
    const reg = c.registry.for(route.res);
    const dryRun = dryRunOf(url.searchParams);
    if (route.subresource === 'binding') await bindPod(reg, route.namespace, route.name, body, { dryRun });
    else await reg.delete(route.namespace, route.name, { ...deleteOptionsOf(url.searchParams, body.deleteOptions as Record<string, unknown> | undefined), dryRun });
    writeJson(c.res, 201, successStatus(201));
    return 201;
  }
  if (route.name) throw methodNotAllowed('create', route.res.kind);
  if (isReview(route.res)) return writeObject(c, 201, answerReview(route.res, await readObject(c)));
  // kube-apiserver serves no POST on the all-namespaces path of a namespaced resource.
  if (route.res.namespaced && !route.namespace) throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  verbAllowed(c, 'create');
  const obj = await readChecked(c);
  const r = await c.registry
    .for(route.res)
    .create(route.namespace, obj, { dryRun: dryRunOf(url.searchParams), fieldManager: url.searchParams.get('fieldManager') ?? undefined });
  return writeObject(c, 201, r.object);
}

async function handlePut(c: RequestContext): Promise<number> {
  const { route, url } = c;
  if (!route.name) throw methodNotAllowed('update', route.res.kind);
  verbAllowed(c, 'update');
  const obj = await readChecked(c);
  const opts = { dryRun: dryRunOf(url.searchParams), fieldManager: url.searchParams.get('fieldManager') ?? undefined };
  const reg = c.registry.for(route.res);
  if (route.subresource === 'scale') return writeObject(c, 200, await updateScale(reg, route.namespace, route.name, obj, opts));
  const r =
    route.subresource === 'status'
      ? await reg.updateStatus(route.namespace, route.name, obj, opts)
      : route.subresource === 'ephemeralcontainers'
        ? await reg.updateEphemeralContainers(route.namespace, route.name, obj, opts)
        : await reg.update(route.namespace, route.name, obj, opts);
  return writeObject(c, r.created ? 201 : 200, r.object);
}

async function handlePatch(c: RequestContext): Promise<number> {
  const { route, url } = c;
  if (!route.name) throw methodNotAllowed('patch', route.res.kind);
  verbAllowed(c, 'patch');
  const { type, patch } = decodePatch(await readBody(c.req, c.maxRequestBytes), c.req.headers['content-type']);
  const q = url.searchParams;
  // JSON patches name paths, not fields; the others carry (part of) an object of the kind.
  if (type !== 'application/json-patch+json' && route.subresource !== 'scale') {
    const warnings = checkFields(patch, route.res, fieldValidationOf(q));
    if (warnings.length) c.res.setHeader('Warning', warnings);
  }
  const force = q.get('force');
  if (force !== null && type !== 'application/apply-patch+yaml') throw badRequest('force flag is only valid for apply patches');
  const opts = { dryRun: dryRunOf(q), fieldManager: q.get('fieldManager') ?? undefined, force: force === 'true' };
  const reg = c.registry.for(route.res);
  if (route.subresource === 'scale') return writeObject(c, 200, await patchScale(reg, route.namespace, route.name, type, patch, opts));
  const sub = route.subresource === 'status' || route.subresource === 'ephemeralcontainers' ? route.subresource : undefined;
  const r = await reg.patch(route.namespace, route.name, type, patch, opts, sub);
  return writeObject(c, r.created ? 201 : 200, r.object);
}

async function handleDelete(c: RequestContext): Promise<number> {
  const { route, url } = c;
  const raw = await readBody(c.req, c.maxRequestBytes);
  const body = raw.length ? (decodeObject(raw, c.req.headers['content-type']) as Record<string, unknown>) : undefined;
  const opts = deleteOptionsOf(url.searchParams, body);
  const reg = c.registry.for(route.res);
  if (!route.name) {
    verbAllowed(c, 'deletecollection');
    const result = await reg.deleteCollection(listOptionsOf(url.searchParams, route.namespace), opts);
    writeJson(c.res, 200, { kind: route.res.listKind, apiVersion: apiVersionOf(route.res), metadata: { resourceVersion: result.resourceVersion }, items: result.items });
    return 200;
  }
  verbAllowed(c, 'delete');
  const r = await reg.delete(route.namespace, route.name, opts);
  return writeObject(c, 200, r.object);
}

export async function handleResource(c: RequestContext): Promise<number> {
  const { route } = c;
  const sub = route.subresource;
  if (sub) {
    if (!(route.res.subresources as string[]).includes(sub)) {
      throw pathNotFound();
    }
    if (STREAM_SUBRESOURCES.includes(sub)) {
      if (route.name && c.streams?.request?.(c.req, c.res, route)) return c.res.statusCode;
      throw serviceUnavailable(`no node agent is serving ${route.res.plural}/${sub} yet`);
    }
    if (sub === 'scale' && !SCALE_KINDS.includes(`${route.res.group}/${route.res.plural}`)) {
      throw pathNotFound();
    }
    if ((sub === 'binding' || sub === 'eviction') && c.req.method !== 'POST') {
      throw new StatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    }
    if (sub === 'ephemeralcontainers' && c.req.method !== 'GET' && c.req.method !== 'PUT' && c.req.method !== 'PATCH') {
      throw new StatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    }
    if (sub !== 'status' && sub !== 'scale' && sub !== 'binding' && sub !== 'eviction' && sub !== 'ephemeralcontainers') {
      throw serviceUnavailable(`${route.res.plural}/${sub} is not served yet`);
    }
  }
  switch (c.req.method) {
    case 'GET':
    case 'HEAD':
      return handleGet(c);
    case 'POST':
      return handlePost(c);
    case 'PUT':
      return handlePut(c);
    case 'PATCH':
      return handlePatch(c);
    case 'DELETE':
      if (sub) throw methodNotAllowed('delete', route.res.kind);
      return handleDelete(c);
    default:
      throw new StatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  }
}
