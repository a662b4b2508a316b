// What DELETE's propagationPolicy does to an object's finalizers (kube-apiserver's
// deletionFinalizersForGarbageCollection): Orphan adds `orphan`, Foreground adds
// `foregroundDeletion`, each dropping the other; Background drops both; no policy keeps what the
// object has. The garbage collector removes the finalizer once it has done the work.
import type { Stored } from '../api/object.js';

export const ORPHAN_FINALIZER = 'orphan';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

/** Changes obj.metadata.finalizers in place for the policy; true if they changed. */
export function applyDeletionFinalizers(obj: Stored, policy: string | undefined): boolean {
  if (!policy) return false;
  const before = obj.metadata.finalizers ?? [];
  let after = before.filter((f) => f !== ORPHAN_FINALIZER && f !== FOREGROUND_FINALIZER);
  if (policy === 'Orphan') after = [...after, ORPHAN_FINALIZER];
  else if (policy === 'Foreground') after = [...after, FOREGROUND_FINALIZER];
  if (after.length === before.length && after.every((f) => before.includes(f))) return false;
  if (after.length) (obj.metadata as { finalizers?: string[] }).finalizers = after;
  else delete (obj.metadata as { finalizers?: string[] }).finalizers;
  return true;
}
