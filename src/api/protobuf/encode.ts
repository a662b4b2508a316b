// The inverse of decode.ts: a JSON API object → a "k8s\0" + runtime.Unknown protobuf body. Tests use
// it to produce bodies; a server may use it to answer clients that accept only protobuf.
import { badRequest } from '../errors.js';
import type { KubeObject } from '../object.js';
import { messageFromJSON, type Plain } from './json.js';
import { messageType } from './root.js';
import { KINDS } from './schema.js';
import { PROTOBUF_CONTENT_TYPE, PROTOBUF_MAGIC } from './decode.js';

export function encodeProtobufObject(obj: KubeObject): Buffer {
  const { apiVersion = '', kind = '', ...rest } = obj;
  const message = KINDS[`${apiVersion}/${kind}`];
  if (!message) throw badRequest(`no kind "${kind}" is registered for version "${apiVersion}" in protobuf bodies`);
  const type = messageType(message);
  const raw = type.encode(type.fromObject(messageFromJSON(message, rest as Plain))).finish();
  const unknown = messageType('Unknown');
  const envelope = unknown
    .encode(unknown.fromObject({ typeMeta: { apiVersion, kind }, raw, contentEncoding: '', contentType: PROTOBUF_CONTENT_TYPE }))
    .finish();
  return Buffer.concat([PROTOBUF_MAGIC, envelope]);
}
