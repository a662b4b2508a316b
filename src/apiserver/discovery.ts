// Discovery endpoints (/api, /apis, /api/v1, /apis/<g>/<v>), legacy and aggregated.
// Skeleton: the full implementation follows; returns false so the server falls through.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Serves discovery for GET requests; true when the response was written. */
export function handleDiscovery(_req: IncomingMessage, _res: ServerResponse, _url: URL): boolean {
  return false;
}
