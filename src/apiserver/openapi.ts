// OpenAPI endpoints, as kube-apiserver's kube-openapi handler serves them:
//   GET /openapi/v3          the index: {"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=H"},...}}
//   GET /openapi/v3/<gv>     one group-version's document (JSON only; protobuf is not offered)
// A request naming the current ?hash= may be cached forever (Cache-Control: public, immutable);
// one naming an old hash is redirected (301) to the current URL. ETag/If-None-Match give 304s.
// /openapi/v2 is left to the server's 404: kubectl then relies on v3 and its built-in types.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { negotiate } from './discovery-negotiate.js';
import { renderedGroupVersion, rootDocument, serverRelativeURL, type Rendered } from './openapi-document.js';

const OPENAPI_MEDIA_TYPES = ['application/json'] as const;
const PREFIX = '/openapi/v3';

/** Serves OpenAPI for GET (and HEAD) requests; true when the response was written. */
export function handleOpenApi(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  // HEAD is answered like GET; Node's http leaves the body out by itself.
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = url.pathname.replace(/\/+$/, '');
  if (path === PREFIX) {
    write(req, res, rootDocument(), {});
    return true;
  }
  if (!path.startsWith(`${PREFIX}/`)) return false;
  const key = path.slice(PREFIX.length + 1);
  const doc = renderedGroupVersion(key);
  if (!doc) return false;

  res.setHeader('Vary', 'Accept');
  // kube-openapi treats a missing Accept as */*; it answers 406 without a body.
  if (!negotiate(req.headers.accept || '*/*', OPENAPI_MEDIA_TYPES, (c) => c === undefined)) {
    res.writeHead(406);
    res.end();
    return true;
  }
  const hash = url.searchParams.get('hash');
  const headers: Record<string, string> = {};
  if (hash) {
    if (hash !== doc.hash) {
      res.writeHead(301, { Location: serverRelativeURL(key, doc.hash), 'Content-Length': '0' });
      res.end();
      return true;
    }
    headers['Cache-Control'] = 'public, immutable';
    headers['Expires'] = oneYearFromNow();
  }
  write(req, res, doc, headers);
  return true;
}

function oneYearFromNow(): string {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toUTCString();
}

function write(req: IncomingMessage, res: ServerResponse, doc: Rendered, headers: Record<string, string>): void {
  const etag = `"${doc.hash}"`;
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { ...headers, ETag: etag });
    res.end();
    return;
  }
  res.writeHead(200, {
    ...headers,
    ETag: etag,
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(doc.json)),
  });
  res.end(doc.json);
}
