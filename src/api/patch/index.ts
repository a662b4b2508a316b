// The PATCH entry points the apiserver calls. `applyPatch` handles the three classic patch types;
// server-side apply has its own entry (it needs the field manager and may create the object).
import { parse as parseYaml } from 'yaml';
import { StatusError, badRequest } from '../errors.js';
import type { KubeObject } from '../object.js';
import type { ResourceInfo } from '../resources.js';
import { applyJsonPatch } from './json-patch.js';
import { isObject, type Json, type JsonObject } from './json.js';
import { schemaForKind } from './merge-keys.js';
import { jsonMergePatch } from './merge-patch.js';
import { PatchFormatError, strategicMergePatch } from './strategic.js';

export { applyServerSideApply, recordUpdate, type ApplyOptions } from './apply.js';

export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';

/** The patch media types kube-apiserver accepts, in the order it lists them. */
export const PATCH_TYPES = [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH] as const;

/** `application/merge-patch+json; charset=utf-8` → `application/merge-patch+json`. */
export function mediaType(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

export function unsupportedPatchType(): StatusError {
  return new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`,
  );
}

/** Non-apply patch bodies must be JSON; kube-apiserver rejects anything else with this text. */
function decodeJson(body: unknown): Json {
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
    try {
      return JSON.parse(text) as Json;
    } catch {
      throw badRequest('invalid JSON patch');
    }
  }
  return body as Json;
}

/** The body of an apply request: YAML or JSON (JSON is YAML), one object. */
export function parseApplyBody(body: unknown): KubeObject {
  let v: unknown = body;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
    try {
      v = parseYaml(text);
    } catch (e) {
      throw badRequest(`error encoding patch: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (!isObject(v)) throw badRequest(`error decoding patch: json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go value of type map[string]interface {}`);
  return v as KubeObject;
}

function objectResult(v: Json): KubeObject {
  if (!isObject(v)) throw badRequest(`couldn't get version/kind; json parse error: json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go value of type struct`);
  return v as KubeObject;
}

/**
 * Apply a JSON, merge or strategic merge patch to `original` and return the patched object.
 * Never mutates its inputs; a patch that changes nothing yields an object deep-equal to
 * `original` (the apiserver relies on this to skip no-op writes). Errors are StatusErrors.
 */
export function applyPatch(contentType: string, original: KubeObject, patch: unknown, res: ResourceInfo): KubeObject {
  const type = mediaType(contentType);
  switch (type) {
    case JSON_PATCH:
      return objectResult(applyJsonPatch(original as JsonObject, decodeJson(patch)));
    case MERGE_PATCH:
      return objectResult(jsonMergePatch(original as JsonObject, decodeJson(patch)));
    case STRATEGIC_MERGE_PATCH: {
      const p = decodeJson(patch);
      if (!isObject(p)) throw badRequest(`json: cannot unmarshal ${Array.isArray(p) ? 'array' : typeof p} into Go value of type map[string]interface {}`);
      try {
        return strategicMergePatch(original as JsonObject, p, schemaForKind(res.kind)) as KubeObject;
      } catch (e) {
        if (e instanceof PatchFormatError) {
          if (e.status === 400) throw badRequest(e.message);
          if (e.status === 422) throw new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', { causes: [{ reason: 'UnexpectedServerResponse', message: e.message }] });
          // Unmapped errors reach the client as a bare 500 with the error text.
          throw new StatusError(500, 'InternalError', e.message);
        }
        throw e;
      }
    }
    case APPLY_PATCH:
      throw badRequest('server-side apply needs the field manager: call applyServerSideApply');
    default:
      throw unsupportedPatchType();
  }
}
