// The generic shape every stored API object has. Typed kinds come from `kubernetes-types`
// (e.g. `import type { Service } from 'kubernetes-types/core/v1.js'`); code that handles any kind
// uses KubeObject.
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

export type { ObjectMeta };

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

/** A KubeObject whose metadata is known to be present (after the apiserver has accepted it). */
export type Stored<T extends KubeObject = KubeObject> = T & { metadata: ObjectMeta & { name: string } };

export function meta(obj: KubeObject): ObjectMeta {
  if (!obj.metadata) obj.metadata = {};
  return obj.metadata;
}

/** Deep copy of a JSON-compatible object (objects here are always plain JSON). */
export function clone<T>(obj: T): T {
  return structuredClone(obj);
}
