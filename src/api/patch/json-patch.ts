// JSON patch (RFC 6902, application/json-patch+json) on top of fast-json-patch, with the
// apiserver's error mapping: a body that is not a list of operations is 400 BadRequest; an
// operation that cannot be applied (failed `test`, missing path, unknown op) is 422 with the
// generic message and the json-patch library's text as the cause, as kube-apiserver answers.
import jsonpatch, { type Operation } from 'fast-json-patch';
import { StatusError, badRequest } from '../errors.js';
import { isObject, type Json } from './json.js';

const INVALID_MESSAGE = 'the server rejected our request due to an error in our request';

function unprocessable(cause: string): StatusError {
  return new StatusError(422, 'Invalid', INVALID_MESSAGE, { causes: [{ reason: 'UnexpectedServerResponse', message: cause }] });
}

/** The texts gopkg.in/evanphx/json-patch.v4 (used by kube-apiserver) gives for each failure. */
function causeText(name: string, op: Partial<Operation> | undefined): string {
  const path = op?.path ?? '';
  const from = op && 'from' in op ? String(op.from) : '';
  switch (name) {
    case 'TEST_OPERATION_FAILED':
      return `testing value ${path} failed: test failed`;
    case 'OPERATION_OP_INVALID':
      return `Unexpected kind: ${String(op?.op ?? '')}`;
    case 'OPERATION_FROM_UNRESOLVABLE':
      return `${String(op?.op)} operation does not apply: doc is missing from path: ${from}: missing value`;
    case 'OPERATION_VALUE_OUT_OF_BOUNDS':
    case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
      return `Unable to access invalid index: ${path.split('/').pop() ?? ''}: invalid index referenced`;
    case 'OPERATION_PATH_UNRESOLVABLE':
    case 'OPERATION_PATH_CANNOT_ADD':
    default:
      if (op?.op === 'remove') return `Unable to remove nonexistent key: ${path.split('/').pop() ?? ''}: missing value`;
      if (op?.op === 'replace') return `replace operation does not apply: doc is missing key: ${path}: missing value`;
      if (op?.op === 'add') return `add operation does not apply: doc is missing path: "${path}": missing value`;
      if (op?.op === 'test') return `testing value ${path} failed: test failed`;
      return `${String(op?.op ?? 'patch')} operation does not apply: doc is missing path: ${path}: missing value`;
  }
}

export function applyJsonPatch(doc: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw badRequest(`json: cannot unmarshal ${isObject(ops) ? 'object' : typeof ops} into Go value of type jsonpatch.Patch`);
  for (const op of ops) if (!isObject(op)) throw badRequest('json: cannot unmarshal into Go value of type jsonpatch.Operation');
  try {
    return jsonpatch.applyPatch(structuredClone(doc), ops as Operation[], true, true).newDocument;
  } catch (e) {
    if (e instanceof jsonpatch.JsonPatchError) {
      const op = typeof e.index === 'number' ? (ops[e.index] as Partial<Operation>) : (e.operation as Partial<Operation> | undefined);
      throw unprocessable(causeText(e.name, op));
    }
    throw e;
  }
}
