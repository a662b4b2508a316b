// The pod side of ServiceAccounts. Two separate Kubernetes rules:
// - admission (plugin/pkg/admission/serviceaccount), on create only: a pod without
//   spec.serviceAccountName runs as "default"; mirror pods (static pods a node reports) are left
//   alone. kubesvc has no tokens, so no token volume is added, and a pod naming a ServiceAccount
//   that does not exist is not refused (see src/api/defaults/README.md).
// - conversion, on every write: spec.serviceAccount is the deprecated alias; a value there fills an
//   empty serviceAccountName, and the alias always mirrors serviceAccountName on the way out.
import type { Pod, PodSpec } from 'kubernetes-types/core/v1.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

export function mirrorServiceAccountAlias(spec: PodSpec | undefined): void {
  if (!spec) return;
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  else delete spec.serviceAccount;
}

export function admitPodServiceAccount(pod: Pod): void {
  if (!pod.spec) return;
  if (pod.metadata?.annotations?.[MIRROR_ANNOTATION] !== undefined) return;
  if (!pod.spec.serviceAccountName) pod.spec.serviceAccountName = DEFAULT_SERVICE_ACCOUNT;
  pod.spec.serviceAccount = pod.spec.serviceAccountName;
}
