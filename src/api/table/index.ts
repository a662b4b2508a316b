// Table output (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): the columns and cells
// kube-apiserver's printers produce for each served kind, rows carrying the object as
// PartialObjectMetadata (default), the full object, or nothing (includeObject=None).
import type { KubeObject } from '../object.js';
import type { ResourceInfo } from '../resources.js';
import { endpointSlicePrinter, endpointsPrinter } from './printers/endpoints.js';
import { eventPrinter } from './printers/event.js';
import { nodePrinter } from './printers/node.js';
import { podPrinter } from './printers/pod.js';
import { servicePrinter } from './printers/service.js';
import { secretPrinter, serviceAccountPrinter } from './printers/secrets.js';
import { configMapPrinter, defaultPrinter, leasePrinter, namespacePrinter } from './printers/simple.js';
import { deploymentPrinter, replicaSetPrinter, statefulSetPrinter } from './printers/workloads.js';
import type { Printer } from './types.js';

export type { TableColumnDefinition, Printer } from './types.js';
export { humanDuration } from './duration.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  includeObject: IncludeObject;
  /** The clock for Age cells (tests). */
  now?: Date;
  /** The list's metadata; for a single object the apiserver passes the object's resourceVersion. */
  listMeta?: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
}

const PRINTERS: Record<string, Printer> = {
  Namespace: namespacePrinter,
  Node: nodePrinter,
  Pod: podPrinter,
  Service: servicePrinter,
  Endpoints: endpointsPrinter,
  Event: eventPrinter,
  ConfigMap: configMapPrinter,
  Secret: secretPrinter,
  ServiceAccount: serviceAccountPrinter,
  EndpointSlice: endpointSlicePrinter,
  Deployment: deploymentPrinter,
  ReplicaSet: replicaSetPrinter,
  StatefulSet: statefulSetPrinter,
  Lease: leasePrinter,
};

export function printerFor(res: Pick<ResourceInfo, 'kind'>): Printer {
  return PRINTERS[res.kind] ?? defaultPrinter;
}

/** `?includeObject=` → IncludeObject; absent means Metadata. Unknown values are a 400 upstream (caller's job). */
export function parseIncludeObject(v: string | null | undefined): IncludeObject | undefined {
  if (v === null || v === undefined || v === '') return 'Metadata';
  return v === 'None' || v === 'Metadata' || v === 'Object' ? v : undefined;
}

function rowObject(obj: KubeObject, include: IncludeObject): KubeObject | null {
  if (include === 'Object') return obj;
  if (include === 'None') return null;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} };
}

export function toTable(res: ResourceInfo, objs: KubeObject[], opts: TableOptions): KubeObject {
  const printer = printerFor(res);
  const now = opts.now ?? new Date();
  const metadata: Record<string, unknown> = {};
  const lm = opts.listMeta;
  if (lm?.resourceVersion) metadata.resourceVersion = lm.resourceVersion;
  if (lm?.continue) metadata.continue = lm.continue;
  if (lm?.remainingItemCount !== undefined && lm.remainingItemCount !== null) metadata.remainingItemCount = lm.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: printer.columns.map((c) => ({ ...c })),
    rows: objs.map((o) => {
      const p = printer.print(o, now);
      const row: Record<string, unknown> = { cells: p.cells };
      if (p.conditions) row.conditions = p.conditions;
      row.object = rowObject(o, opts.includeObject);
      return row;
    }),
  };
}
