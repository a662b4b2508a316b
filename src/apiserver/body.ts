// Request bodies: read with a size limit (413), decode by Content-Type (JSON, YAML, protobuf,
// and the patch media types), and refuse anything else (415) or malformed input (400).
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { StatusError, badRequest, tooLarge, unsupportedMediaType } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { decodeProtobufObject } from '../api/protobuf/decode.js';

export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;

/** The media type without parameters, lower-cased. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw tooLarge(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

function parseYamlDoc(text: string): unknown {
  try {
    return parseYaml(text);
  } catch (e) {
    throw badRequest(`error converting YAML to JSON: ${(e as Error).message.split('\n')[0]}`);
  }
}

function asObject(v: unknown): KubeObject {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw badRequest('the body of the request must be an object');
  return v as KubeObject;
}

/** Decodes a create/update body into an object. */
export function decodeObject(body: Buffer, contentType: string | undefined): KubeObject {
  const mt = mediaType(contentType) || 'application/json';
  if (body.length === 0) throw badRequest('the body of the request was empty');
  switch (mt) {
    case 'application/json':
      return asObject(parseJson(body.toString('utf8')));
    case 'application/yaml':
    case 'application/x-yaml':
    case 'text/yaml':
      return asObject(parseYamlDoc(body.toString('utf8')));
    case 'application/vnd.kubernetes.protobuf':
      return decodeProtobufObject(body);
    default:
      throw unsupportedMediaType(mt);
  }
}

/** Decodes a PATCH body; the media type selects the patch kind (415 for others). */
export function decodePatch(body: Buffer, contentType: string | undefined): { type: string; patch: unknown } {
  const mt = mediaType(contentType);
  if (!(PATCH_TYPES as readonly string[]).includes(mt)) {
    throw new StatusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`,
    );
  }
  if (body.length === 0) throw badRequest('the body of the request was empty');
  const text = body.toString('utf8');
  const patch = mt === 'application/apply-patch+yaml' ? parseYamlDoc(text) : parseJson(text);
  if (mt === 'application/json-patch+json') {
    if (!Array.isArray(patch)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  } else {
    asObject(patch);
  }
  return { type: mt, patch };
}
