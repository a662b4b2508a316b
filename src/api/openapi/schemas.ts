// The component schemas of every served kind and everything they reference, generated from the
// kubernetes-types declarations by scripts/gen-openapi.ts (see README.md in this folder).
import generated from './schemas.generated.json' with { type: 'json' };

export type Schema = Record<string, unknown>;

/** Component schemas keyed by Kubernetes definition name (e.g. io.k8s.api.core.v1.Service). */
export const SCHEMAS: Readonly<Record<string, Schema>> = generated as Record<string, Schema>;

export const SCHEMA_REF_PREFIX = '#/components/schemas/';
