// Accept-header negotiation for the discovery and OpenAPI endpoints, following the rules of
// kube-apiserver's negotiation package: clauses are ordered by quality (then by specificity), a
// clause matches a served media type exactly, by `type/*` or by `*/*`, and a clause whose
// parameters ask for a conversion (`as`, `g`, `v`) matches only where the endpoint can produce that
// kind (aggregated discovery). An empty Accept header means the first served type.

export interface AcceptClause {
  type: string;
  subtype: string;
  q: number;
  params: Record<string, string>;
}

/** What a clause asks the server to turn the response into (`as=Kind;g=group;v=version`). */
export interface Conversion {
  kind: string;
  group: string;
  version: string;
}

export interface Negotiated {
  /** The served media type, e.g. `application/json`. */
  mediaType: string;
  /** Set when the chosen clause asked for a conversion the endpoint accepted. */
  convert?: Conversion;
  /** The clause's `pretty=1`. */
  pretty: boolean;
}

/** Parses an Accept header into clauses, best first. Clauses with q=0 are dropped (RFC 9110 12.5.1). */
export function parseAccept(header: string): AcceptClause[] {
  const clauses: AcceptClause[] = [];
  for (const part of header.split(',')) {
    const [range, ...paramParts] = part.split(';');
    const mediaRange = range.trim().toLowerCase();
    if (!mediaRange) continue;
    const slash = mediaRange.indexOf('/');
    const type = slash < 0 ? mediaRange : mediaRange.slice(0, slash);
    const subtype = slash < 0 ? '*' : mediaRange.slice(slash + 1);
    let q = 1;
    const params: Record<string, string> = {};
    for (const p of paramParts) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const key = p.slice(0, eq).trim().toLowerCase();
      const value = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (key === 'q') {
        const n = Number(value);
        q = Number.isFinite(n) ? Math.min(Math.max(n, 0), 1) : 0;
      } else {
        params[key] = value;
      }
    }
    if (q > 0) clauses.push({ type, subtype, q, params });
  }
  const specificity = (c: AcceptClause) => (c.type === '*' ? 0 : c.subtype === '*' ? 1 : 2);
  // Array.prototype.sort is stable, so equal clauses keep the client's order.
  return clauses.sort((a, b) => b.q - a.q || specificity(b) - specificity(a));
}

/**
 * Picks the first clause (in preference order) that one of `served` satisfies. `allowConvert`
 * decides whether a clause asking for a conversion may be honoured; clauses asking for a conversion
 * that is not allowed are skipped, like kube-apiserver's endpoint restrictions do. Returns undefined
 * when nothing is acceptable (the caller answers 406).
 */
export function negotiate(
  header: string | undefined,
  served: readonly string[],
  allowConvert: (c: Conversion | undefined) => boolean,
): Negotiated | undefined {
  if (!header || !header.trim()) {
    return allowConvert(undefined) && served.length ? { mediaType: served[0], pretty: false } : undefined;
  }
  for (const clause of parseAccept(header)) {
    for (const mediaType of served) {
      const [type, subtype] = mediaType.split('/');
      const matches =
        (clause.type === type && (clause.subtype === subtype || clause.subtype === '*')) ||
        (clause.type === '*' && clause.subtype === '*');
      if (!matches) continue;
      const { as: kind, g: group, v: version } = clause.params;
      const convert = kind !== undefined || group !== undefined || version !== undefined
        ? { kind: kind ?? '', group: group ?? '', version: version ?? '' }
        : undefined;
      if (!allowConvert(convert)) continue;
      return { mediaType, pretty: clause.params.pretty === '1', ...(convert ? { convert } : {}) };
    }
  }
  return undefined;
}

/** kube-apiserver's 406 text: `only the following media types are accepted: a, b`. */
export function notAcceptableMessage(served: readonly string[]): string {
  return `only the following media types are accepted: ${served.join(', ')}`;
}
