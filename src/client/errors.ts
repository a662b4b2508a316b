// How the client surfaces failures: always a StatusError with the server's code, reason and
// message, whichever transport carried the call, so callers branch on `code`/`reason` only.
import { StatusError, gone, internalError, serviceUnavailable, type Status, type StatusReason } from '../api/errors.js';
import { CompactedError, FutureRevisionError, StoreClosedError } from '../store/types.js';

/** kube-apiserver's reason for a code, used when a response carries no Status body. */
const REASON_BY_CODE: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

function isStatus(v: unknown): v is Status {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status' && typeof (v as { code?: unknown }).code === 'number';
}

/** A StatusError from a meta/v1 Status object (an error response body, or a watch ERROR event). */
export function fromStatus(v: unknown, fallbackCode = 500): StatusError {
  if (!isStatus(v)) return new StatusError(fallbackCode, REASON_BY_CODE[fallbackCode] ?? 'InternalError', `unexpected error object: ${JSON.stringify(v)}`);
  const reason = (v.reason || REASON_BY_CODE[v.code] || 'InternalError') as StatusReason;
  return new StatusError(v.code, reason, v.message ?? '', v.details);
}

/** A StatusError for a non-2xx HTTP response whose body is not a Status (as client-go's generic server response). */
export function fromHttpResponse(code: number, body: string): StatusError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (isStatus(parsed)) return fromStatus(parsed, code);
  const text = body.trim();
  return new StatusError(code, REASON_BY_CODE[code] ?? 'InternalError', text || `the server responded with the status code ${code} but did not return more information`);
}

/**
 * The in-process transport's one mapping: store errors become what the HTTP edge would have sent,
 * so both transports fail the same way.
 */
export function toStatusError(e: unknown): StatusError {
  if (e instanceof StatusError) return e;
  if (e instanceof CompactedError) return gone(`too old resource version: ${e.requested} (${e.compacted})`);
  if (e instanceof FutureRevisionError) {
    return new StatusError(504, 'Timeout', `Too large resource version: ${e.requested}, current: ${e.current}`, {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
      retryAfterSeconds: 1,
    });
  }
  if (e instanceof StoreClosedError) return serviceUnavailable('the storage backend is closed');
  return internalError(e);
}

/** 410: the resourceVersion asked for is no longer available; the caller must relist. */
export function isGone(e: unknown): boolean {
  return e instanceof StatusError && e.code === 410;
}

export function isNotFound(e: unknown): boolean {
  return e instanceof StatusError && e.code === 404;
}

export function isConflict(e: unknown): boolean {
  return e instanceof StatusError && e.code === 409 && e.reason === 'Conflict';
}

export function isAlreadyExists(e: unknown): boolean {
  return e instanceof StatusError && e.code === 409 && e.reason === 'AlreadyExists';
}
