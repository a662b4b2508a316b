// Server-side field validation (the fieldValidation query parameter): fields a body sets that the
// kind's schema does not declare. Strict → 400 with kube-apiserver's "strict decoding error",
// Warn (the default) → a Warning header per field, Ignore → nothing. kubectl 1.32 relies on the
// server for this (`kubectl apply` sends fieldValidation=Strict), so a typo must not pass silently.
import { StatusError } from '../api/errors.js';
import type { ResourceInfo } from '../api/resources.js';
import { SCHEMAS, SCHEMA_REF_PREFIX, type Schema } from '../api/openapi/schemas.js';

type Gvk = { group: string; version: string; kind: string };

const rootByResource = new Map<string, Schema | undefined>();

function rootSchema(res: ResourceInfo): Schema | undefined {
  const id = `${res.group}/${res.version}/${res.kind}`;
  if (!rootByResource.has(id)) {
    const found = Object.values(SCHEMAS).find((s) =>
      ((s['x-kubernetes-group-version-kind'] as Gvk[] | undefined) ?? []).some((g) => g.group === res.group && g.version === res.version && g.kind === res.kind),
    );
    rootByResource.set(id, found);
  }
  return rootByResource.get(id);
}

/** Follows $ref and single-element allOf wrappers to the schema that has the shape. */
function resolve(s: Schema | undefined): Schema | undefined {
  for (let i = 0; s && i < 16; i++) {
    const ref = s.$ref as string | undefined;
    if (ref?.startsWith(SCHEMA_REF_PREFIX)) {
      s = SCHEMAS[ref.slice(SCHEMA_REF_PREFIX.length)];
      continue;
    }
    const all = s.allOf as Schema[] | undefined;
    if (all?.length === 1 && !s.properties) {
      s = all[0];
      continue;
    }
    return s;
  }
  return s;
}

function walk(v: unknown, schema: Schema | undefined, path: string, out: string[]): void {
  const s = resolve(schema);
  if (!s || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    const items = s.items as Schema | undefined;
    if (items) v.forEach((x, i) => walk(x, items, `${path}[${i}]`, out));
    return;
  }
  const props = s.properties as Record<string, Schema> | undefined;
  const additional = s.additionalProperties as Schema | boolean | undefined;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    // Strategic-merge directives ($patch, $setElementOrder/ports, ...) are not fields.
    if (k.startsWith('$')) continue;
    const p = path ? `${path}.${k}` : k;
    if (props && k in props) walk(x, props[k], p, out);
    else if (additional && typeof additional === 'object') walk(x, additional, p, out);
    else if (props && !additional) out.push(p);
    // No properties and no additionalProperties: a free-form object (FieldsV1, RawExtension).
  }
}

/** Paths (`spec.ports[0].nodeport`) of fields the kind's schema does not declare. */
export function unknownFields(obj: unknown, res: ResourceInfo): string[] {
  const root = rootSchema(res);
  if (!root) return [];
  const out: string[] = [];
  walk(obj, root, '', out);
  return out;
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationOf(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation');
  return v === 'Strict' || v === 'Ignore' ? v : 'Warn';
}

/**
 * Applies the directive to a decoded body: throws 400 under Strict, returns Warning header values
 * under Warn.
 */
export function checkFields(obj: unknown, res: ResourceInfo, mode: FieldValidation): string[] {
  if (mode === 'Ignore') return [];
  const unknown = unknownFields(obj, res);
  if (!unknown.length) return [];
  if (mode === 'Strict') {
    const list = unknown.map((f) => `unknown field "${f}"`).join(', ');
    throw new StatusError(400, 'BadRequest', `${res.kind} in version "${res.version}" cannot be handled as a ${res.kind}: strict decoding error: ${list}`);
  }
  return unknown.map((f) => `299 - ${JSON.stringify(`unknown field "${f}"`)}`);
}
