// The common update rule of kinds with a status subresource: a write to the main resource keeps the
// stored status (status changes only through /status).
import type { KubeObject } from '../object.js';

export function keepOldStatus(obj: KubeObject, old: KubeObject): void {
  if ('status' in old) obj.status = structuredClone(old.status);
  else delete obj.status;
}
