// Decodes application/vnd.kubernetes.protobuf request bodies (what kubectl create sends) into the
// same JSON object the JSON API would receive. The body is the 4 magic bytes "k8s\0", then a
// runtime.Unknown envelope: typeMeta (apiVersion, kind), raw (the typed message), contentEncoding,
// contentType.
import { badRequest } from '../errors.js';
import type { KubeObject } from '../object.js';
import { messageToJSON, type Plain } from './json.js';
import { messageType } from './root.js';
import { KINDS } from './schema.js';

export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

/** protobufjs' toObject options that give plain JSON-compatible values. */
export const PLAIN = { longs: Number, bytes: String, defaults: false } as const;

function decodeMessage(name: string, bytes: Uint8Array): Plain {
  const type = messageType(name);
  try {
    return type.toObject(type.decode(bytes), PLAIN) as Plain;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw badRequest(`unable to decode protobuf ${name}: ${why}`);
  }
}

export function decodeProtobufObject(body: Buffer): KubeObject {
  if (body.length < PROTOBUF_MAGIC.length || !body.subarray(0, PROTOBUF_MAGIC.length).equals(PROTOBUF_MAGIC)) {
    throw badRequest('provided object is not a protobuf message: missing the "k8s\\0" prefix');
  }
  const envelope = decodeMessage('Unknown', body.subarray(PROTOBUF_MAGIC.length));
  const typeMeta = (envelope.typeMeta ?? {}) as Plain;
  const apiVersion = String(typeMeta.apiVersion ?? '');
  const kind = String(typeMeta.kind ?? '');
  if (!kind) throw badRequest('Object \'Kind\' is missing in protobuf body');
  if (envelope.contentEncoding) {
    throw badRequest(`unsupported content encoding ${JSON.stringify(envelope.contentEncoding)} in protobuf body`);
  }
  const message = KINDS[`${apiVersion}/${kind}`];
  if (!message) {
    throw badRequest(`no kind "${kind}" is registered for version "${apiVersion}" in protobuf bodies`);
  }
  const raw = typeof envelope.raw === 'string' ? Buffer.from(envelope.raw, 'base64') : Buffer.alloc(0);
  const wire = decodeMessage(message, raw);
  let obj: Plain;
  try {
    obj = messageToJSON(message, wire);
  } catch (e) {
    // e.g. a timestamp beyond what RFC 3339 can express
    throw badRequest(`unable to decode protobuf ${message}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { apiVersion, kind, ...obj };
}
