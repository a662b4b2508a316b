// Secret and ServiceAccount rows (printSecret, printServiceAccount): kubectl shows
// NAME TYPE DATA AGE and NAME SECRETS AGE. The column descriptions are the fields' API docs, read
// from the OpenAPI schemas as kube-apiserver reads them from SwaggerDoc.
import type { Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { SCHEMAS } from '../../openapi/schemas.js';
import type { KubeObject } from '../../object.js';
import { since } from '../duration.js';
import { ageColumn, col, nameColumn, type Printer } from '../types.js';

function fieldDoc(definition: string, field: string): string {
  const props = SCHEMAS[`io.k8s.api.core.v1.${definition}`]?.properties as Record<string, { description?: string }> | undefined;
  return props?.[field]?.description ?? '';
}

export const secretPrinter: Printer = {
  columns: [nameColumn(), col('Type', 'string', fieldDoc('Secret', 'type')), col('Data', 'string', fieldDoc('Secret', 'data')), ageColumn()],
  print(obj: KubeObject, now: Date) {
    const s = obj as unknown as Secret;
    return { cells: [s.metadata?.name ?? '', s.type ?? '', Object.keys(s.data ?? {}).length, since(s.metadata?.creationTimestamp, now)] };
  },
};

export const serviceAccountPrinter: Printer = {
  columns: [nameColumn(), col('Secrets', 'string', fieldDoc('ServiceAccount', 'secrets')), ageColumn()],
  print(obj: KubeObject, now: Date) {
    const sa = obj as unknown as ServiceAccount;
    return { cells: [sa.metadata?.name ?? '', (sa.secrets ?? []).length, since(sa.metadata?.creationTimestamp, now)] };
  },
};
