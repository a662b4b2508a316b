// Discovery endpoints: /api, /apis, /api/v1, /apis/<group> and /apis/<group>/<version>.
// /api and /apis serve aggregated discovery (apidiscovery.k8s.io v2 or v2beta1) when the Accept
// header asks for it, with exactly the parameterised Content-Type kubectl checks for, and legacy
// discovery otherwise. The API server calls handleDiscovery for every GET before routing.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringify as toYaml } from 'yaml';
import { notAcceptable } from '../api/errors.js';
import {
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  isServedGroupVersion,
  servedGroups,
  type AggregatedVersion,
} from './discovery-documents.js';
import { negotiate, notAcceptableMessage, type Conversion, type Negotiated } from './discovery-negotiate.js';

/** Media types discovery can be written in, preferred first. */
export const DISCOVERY_MEDIA_TYPES = ['application/json', 'application/yaml'] as const;

const AGGREGATED_GROUP = 'apidiscovery.k8s.io';
const AGGREGATED_KIND = 'APIGroupDiscoveryList';
// Kubernetes 1.32 serves both; v2beta1 went away in 1.33.
const AGGREGATED_VERSIONS: readonly string[] = ['v2', 'v2beta1'];

function isAggregated(c: Conversion | undefined): boolean {
  return !!c && c.group === AGGREGATED_GROUP && c.kind === AGGREGATED_KIND && AGGREGATED_VERSIONS.includes(c.version);
}

/** Serves discovery for GET (and HEAD) requests; true when the response was written. */
export function handleDiscovery(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  // HEAD is answered like GET; Node's http leaves the body out by itself.
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
  const parts = path.split('/').filter(Boolean);
  const accept = req.headers.accept;

  if (path === '/api' || path === '/apis') {
    const which = path === '/api' ? 'core' : 'groups';
    const agg = negotiate(accept, DISCOVERY_MEDIA_TYPES, isAggregated);
    if (agg?.convert) {
      writeAggregated(req, res, agg, which, agg.convert.version as AggregatedVersion);
      return true;
    }
    const doc = which === 'core' ? apiVersions(serverAddress(req)) : apiGroupList();
    writeLegacy(res, accept, doc, url);
    return true;
  }
  if (parts[0] === 'api' && parts.length === 2 && isServedGroupVersion('', parts[1])) {
    writeLegacy(res, accept, apiResourceList({ group: '', version: parts[1] }), url);
    return true;
  }
  if (parts[0] === 'apis' && parts.length === 2 && servedGroups().includes(parts[1])) {
    writeLegacy(res, accept, apiGroup(parts[1]), url);
    return true;
  }
  if (parts[0] === 'apis' && parts.length === 3 && parts[1] !== '' && isServedGroupVersion(parts[1], parts[2])) {
    writeLegacy(res, accept, apiResourceList({ group: parts[1], version: parts[2] }), url);
    return true;
  }
  return false;
}

/** The address clients reach us by, for APIVersions.serverAddressByClientCIDRs. */
function serverAddress(req: IncomingMessage): string {
  if (req.headers.host) return req.headers.host;
  const { localAddress, localPort } = req.socket;
  return localAddress?.includes(':') ? `[${localAddress}]:${localPort}` : `${localAddress}:${localPort}`;
}

function encode(doc: unknown, mediaType: string, pretty: boolean): string {
  if (mediaType === 'application/yaml') return toYaml(doc);
  return pretty ? JSON.stringify(doc, null, 2) + '\n' : JSON.stringify(doc);
}

function isPretty(url: URL, negotiated: Negotiated): boolean {
  const p = url.searchParams.get('pretty');
  return negotiated.pretty || p === 'true' || p === '1';
}

function writeLegacy(res: ServerResponse, accept: string | undefined, doc: unknown, url: URL): void {
  const chosen = negotiate(accept, DISCOVERY_MEDIA_TYPES, (c) => c === undefined);
  if (!chosen) {
    writeNotAcceptable(res, DISCOVERY_MEDIA_TYPES);
    return;
  }
  const body = encode(doc, chosen.mediaType, isPretty(url, chosen));
  res.writeHead(200, { 'Content-Type': chosen.mediaType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** A 406 Status listing what the endpoint can produce (shared with the OpenAPI handler). */
export function writeNotAcceptable(res: ServerResponse, served: readonly string[]): void {
  const body = JSON.stringify(notAcceptable(notAcceptableMessage(served)).toStatus());
  res.writeHead(406, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

interface AggregatedCacheEntry {
  json: string;
  etag: string;
  doc: unknown;
}

// RESOURCES never changes while the process runs, so each document and its hash are built once.
const aggregatedCache = new Map<string, AggregatedCacheEntry>();

function aggregatedEntry(which: 'core' | 'groups', version: AggregatedVersion): AggregatedCacheEntry {
  const key = `${which}/${version}`;
  let entry = aggregatedCache.get(key);
  if (!entry) {
    const doc = aggregatedDiscovery(which, version);
    const json = JSON.stringify(doc);
    // Like kube-apiserver: the upper-case hex SHA-512 of the JSON document, in double quotes.
    entry = { json, doc, etag: `"${createHash('sha512').update(json).digest('hex').toUpperCase()}"` };
    aggregatedCache.set(key, entry);
  }
  return entry;
}

function writeAggregated(
  req: IncomingMessage,
  res: ServerResponse,
  chosen: Negotiated,
  which: 'core' | 'groups',
  version: AggregatedVersion,
): void {
  const entry = aggregatedEntry(which, version);
  const headers: Record<string, string> = { ETag: entry.etag, Vary: 'Accept', 'Cache-Control': 'public' };
  if (req.headers['if-none-match'] === entry.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  // kubectl only recognises the aggregated form by these exact Content-Type parameters.
  const contentType = `${chosen.mediaType};g=${AGGREGATED_GROUP};v=${version};as=${AGGREGATED_KIND}`;
  const body = chosen.mediaType === 'application/json' && !chosen.pretty ? entry.json : encode(entry.doc, chosen.mediaType, chosen.pretty);
  res.writeHead(200, { ...headers, 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}
