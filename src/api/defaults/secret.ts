// Secret defaulting and decoding as kube-apiserver does them on every write: `type` defaults to
// Opaque (SetDefaults_Secret); `data` values are base64 that Go's JSON decoder must accept (else the
// body "cannot be handled as a Secret"); `stringData` is write-only — its entries are encoded into
// `data`, winning over the same key there, and the field is never stored or returned (the v1 to
// internal conversion).
import type { Secret } from 'kubernetes-types/core/v1.js';

export const DEFAULT_SECRET_TYPE = 'Opaque';

const B64 = /[A-Za-z0-9+/]/;

/**
 * Where Go's base64.StdEncoding (padding required; CR and LF skipped) first fails on `s`, as the
 * byte offset its CorruptInputError names; undefined when `s` decodes.
 */
export function base64ErrorOffset(s: string): number | undefined {
  const next = (from: number) => {
    let i = from;
    while (i < s.length && (s[i] === '\r' || s[i] === '\n')) i++;
    return i;
  };
  let n = 0; // characters of the current 4-character quantum seen
  let start = 0;
  for (let i = next(0); i < s.length; i = next(i + 1)) {
    const c = s[i]!;
    if (n === 0) start = i;
    if (c === '=') {
      if (n < 2) return i;
      if (n === 2) {
        const j = next(i + 1);
        if (j === s.length) return j;
        if (s[j] !== '=') return i;
        i = j;
      }
      // A padded quantum ends the input: anything after it is garbage.
      const rest = next(i + 1);
      return rest < s.length ? rest : undefined;
    }
    if (!B64.test(c)) return i;
    n = (n + 1) % 4;
  }
  return n === 0 ? undefined : start;
}

/** Fills defaults and folds stringData into data; returns Go's decode error text for bad base64. */
export function setSecretDefaults(secret: Secret): string | undefined {
  if (!secret.type) secret.type = DEFAULT_SECRET_TYPE;
  const data: Record<string, string> = { ...(secret.data ?? {}) };
  for (const [k, v] of Object.entries(data)) {
    const bad = base64ErrorOffset(String(v ?? ''));
    if (bad !== undefined) return `illegal base64 data at input byte ${bad}`;
    // Stored as Kubernetes would re-encode the decoded bytes (canonical, no line breaks).
    data[k] = Buffer.from(String(v ?? ''), 'base64').toString('base64');
  }
  for (const [k, v] of Object.entries(secret.stringData ?? {})) data[k] = Buffer.from(String(v ?? ''), 'utf8').toString('base64');
  delete secret.stringData;
  if (Object.keys(data).length > 0 || secret.data) secret.data = data;
  return undefined;
}
