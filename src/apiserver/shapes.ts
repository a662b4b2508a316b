// Turning objects into the negotiated shape: Tables (src/api/table) and PartialObjectMetadata.
import type { KubeObject } from '../api/object.js';
import type { ResourceInfo } from '../api/resources.js';
import { toTable as printTable } from '../api/table/index.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export function partialMetadata(obj: KubeObject): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} };
}

export function toTable(res: ResourceInfo, objs: KubeObject[], includeObject: IncludeObject, listMeta?: ListMeta): KubeObject {
  return printTable(res, objs, { includeObject, listMeta });
}

/** includeObject: Metadata unless the client says None or Object (kube-apiserver's default). */
export function parseIncludeObject(v: string | null): IncludeObject {
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}
