// Namespace and Node defaulting as pkg/apis/core/v1/defaults.go. ConfigMap, Event and Lease have no
// defaults that survive JSON (SetDefaults_ConfigMap's empty data map is omitted on the wire).
import type { Namespace, Node } from 'kubernetes-types/core/v1.js';

/** The label every namespace carries with its own name (kubernetes.io/metadata.name). */
export const LABEL_METADATA_NAME = 'kubernetes.io/metadata.name';

export function setNamespaceDefaults(ns: Namespace): void {
  // Nameless (generateName) namespaces get the label once the name is known; see the strategy.
  const name = ns.metadata?.name;
  if (name) {
    const m = ns.metadata!;
    m.labels = { ...(m.labels ?? {}), [LABEL_METADATA_NAME]: name };
  }
  const status = (ns.status ??= {});
  if (!status.phase) status.phase = 'Active';
}

export function setNodeDefaults(node: Node): void {
  const status = node.status;
  if (status && !status.allocatable && status.capacity) status.allocatable = { ...status.capacity };
}
