// Namespace, ConfigMap and Lease rows (printNamespace, printConfigMap, printLease).
import type { ConfigMap, Namespace } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { KubeObject } from '../../object.js';
import { since } from '../duration.js';
import { AGE_DESCRIPTION, ageColumn, col, nameColumn, type Printer } from '../types.js';

export const namespacePrinter: Printer = {
  columns: [nameColumn(), col('Status', 'string', 'The status of the namespace'), ageColumn()],
  print(obj: KubeObject, now: Date) {
    const ns = obj as unknown as Namespace;
    return { cells: [ns.metadata?.name ?? '', ns.status?.phase ?? '', since(ns.metadata?.creationTimestamp, now)] };
  },
};

export const configMapPrinter: Printer = {
  columns: [nameColumn(), col('Data', 'string', 'Data contains the configuration data. Each key must consist of alphanumeric characters, \'-\', \'_\' or \'.\'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.'), ageColumn()],
  print(obj: KubeObject, now: Date) {
    const cm = obj as unknown as ConfigMap;
    const n = Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length;
    return { cells: [cm.metadata?.name ?? '', n, since(cm.metadata?.creationTimestamp, now)] };
  },
};

export const leasePrinter: Printer = {
  columns: [nameColumn(), col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.'), ageColumn()],
  print(obj: KubeObject, now: Date) {
    const l = obj as unknown as Lease;
    return { cells: [l.metadata?.name ?? '', l.spec?.holderIdentity ?? '', since(l.metadata?.creationTimestamp, now)] };
  },
};

/** Kinds without a printer get Name and Age, like kube-apiserver's default table convertor. */
export const defaultPrinter: Printer = {
  columns: [nameColumn(), col('Created At', 'date', AGE_DESCRIPTION)],
  print(obj: KubeObject) {
    return { cells: [obj.metadata?.name ?? '', obj.metadata?.creationTimestamp ?? null] };
  },
};
