// JSON merge patch (RFC 7386, application/merge-patch+json): objects merge key by key, null
// deletes, anything else (arrays included) replaces. Inputs are never mutated.
import { isObject, type Json } from './json.js';

export function jsonMergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = jsonMergePatch(out[k], v);
  }
  return out;
}
