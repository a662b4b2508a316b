// Maps a URL path onto a served resource: /api/v1/... and /apis/<group>/<version>/..., namespaced
// and all-namespaces collections, items and subresources, and the legacy /watch/ prefix.
import { findByPlural, type ResourceInfo } from '../api/resources.js';

export interface ResourceRoute {
  res: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Came in through the deprecated /watch/ prefix. */
  legacyWatch: boolean;
}

/** Returns the route, or undefined when the path names nothing we serve (→ 404). */
export function route(pathname: string): ResourceRoute | undefined {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  const find = (plural: string | undefined) => (plural ? findByPlural(group, version, plural) : undefined);

  // namespaces/<ns>/<plural>[/<name>[/<sub>]]: a namespaced resource inside a namespace.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const res = find(rest[2]);
    if (res?.namespaced && rest.length <= 5) {
      return { res, namespace: rest[1], name: rest[3], subresource: rest[4], legacyWatch };
    }
  }
  const res = find(rest[0]);
  if (!res || rest.length > 3) return undefined;
  // A namespaced resource without a namespace is the all-namespaces collection (no items).
  if (res.namespaced && rest.length > 1) return undefined;
  return { res, name: rest[1], subresource: rest[2], legacyWatch };
}
