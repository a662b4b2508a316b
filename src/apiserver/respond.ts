// Writing responses: JSON objects and Status errors. Errors are mapped to a Status once, here
// (habit 8): StatusError as is, store errors to their HTTP meaning, anything else to 500.
import type { ServerResponse } from 'node:http';
import { StatusError, gone, internalError, serviceUnavailable, type Status } from '../api/errors.js';
import { CompactedError, FutureRevisionError, StoreClosedError } from '../store/types.js';
import { tooLargeResourceVersion } from '../registry/generic-list.js';

export function toStatusError(e: unknown): StatusError {
  if (e instanceof StatusError) return e;
  if (e instanceof CompactedError) return gone(`too old resource version: ${e.requested} (${e.compacted})`);
  if (e instanceof FutureRevisionError) return tooLargeResourceVersion(e.requested, e.current);
  if (e instanceof StoreClosedError) return serviceUnavailable('the storage backend is closed');
  return internalError(e);
}

export function writeJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

export function statusOf(e: unknown): Status {
  return toStatusError(e).toStatus();
}

export function writeError(res: ServerResponse, e: unknown): number {
  const s = statusOf(e);
  if (res.headersSent) {
    res.destroy();
    return s.code;
  }
  writeJson(res, s.code, s);
  return s.code;
}

export function writeText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}
