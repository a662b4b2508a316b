// OpenAPI v3 endpoints (/openapi/v3 and /openapi/v3/<group-version>).
// Skeleton: the full implementation follows; returns false so the server falls through.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Serves OpenAPI for GET requests; true when the response was written. */
export function handleOpenApi(_req: IncomingMessage, _res: ServerResponse, _url: URL): boolean {
  return false;
}
