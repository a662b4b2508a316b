// Turning objects into the negotiated shape: Tables (through src/api/table when it is present,
// else a Name/Age table) and PartialObjectMetadata.
import type { KubeObject } from '../api/object.js';
import type { ResourceInfo } from '../api/resources.js';
import { importOptional } from '../registry/generic-deps.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

type ToTable = (res: ResourceInfo, objs: KubeObject[], opts: { includeObject: IncludeObject; now?: Date; listMeta?: ListMeta }) => KubeObject;

function age(ts: string | undefined, now: Date): string {
  if (!ts) return '<unknown>';
  const s = Math.max(0, Math.floor((now.getTime() - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

export function partialMetadata(obj: KubeObject): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} };
}

/** Used until src/api/table lands: the columns kubectl shows for kinds it knows nothing about. */
const fallbackToTable: ToTable = (_res, objs, opts) => {
  const now = opts.now ?? new Date();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { ...opts.listMeta },
    columnDefinitions: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
      { name: 'Age', type: 'string', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 },
    ],
    rows: objs.map((o) => {
      const row: Record<string, unknown> = { cells: [o.metadata?.name ?? '', age(o.metadata?.creationTimestamp, now)] };
      if (opts.includeObject === 'Object') row.object = o;
      else if (opts.includeObject === 'Metadata') row.object = partialMetadata(o);
      return row;
    }),
  };
};

let toTableImpl: ToTable | undefined;

export async function loadShapes(): Promise<void> {
  const mod = await importOptional<{ toTable: ToTable }>('../api/table/index.js', import.meta.url);
  toTableImpl = mod?.toTable ?? fallbackToTable;
}

export function toTable(res: ResourceInfo, objs: KubeObject[], includeObject: IncludeObject, listMeta?: ListMeta): KubeObject {
  return (toTableImpl ?? fallbackToTable)(res, objs, { includeObject, listMeta });
}

export function parseIncludeObject(v: string | null): IncludeObject {
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}
