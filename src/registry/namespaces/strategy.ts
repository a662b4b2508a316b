// Strategy for namespaces (pkg/registry/core/namespace/strategy.go): a new namespace is Active and
// carries the "kubernetes" finalizer (the namespace controller removes it after emptying the
// namespace); spec.finalizers cannot change through a normal update, only status through /status.
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { LABEL_METADATA_NAME, setNamespaceDefaults } from '../../api/defaults/cluster.js';
import type { KubeObject } from '../../api/object.js';
import { FINALIZER_KUBERNETES, validateNamespace, validateNamespaceUpdate } from '../../api/validation/namespace.js';
import { validateMetadataExtras } from '../../api/validation/objectmeta.js';
import type { StrategyFactory } from '../types.js';

const asNamespace = (o: KubeObject) => o as unknown as Namespace;

export const createStrategy: StrategyFactory = () => ({
  default: (obj) => setNamespaceDefaults(asNamespace(obj)),
  prepareForCreate(obj) {
    const ns = asNamespace(obj);
    ns.status = { phase: 'Active' };
    const spec = (ns.spec ??= {});
    const finalizers = spec.finalizers ?? [];
    if (!finalizers.includes(FINALIZER_KUBERNETES)) spec.finalizers = [...finalizers, FINALIZER_KUBERNETES];
    // generateName namespaces get their name only now; label it as defaulting would have.
    const m = ns.metadata;
    if (m?.name) m.labels = { ...(m.labels ?? {}), [LABEL_METADATA_NAME]: m.name };
  },
  prepareForUpdate(obj, old) {
    const ns = asNamespace(obj);
    const prev = asNamespace(old);
    // Kubernetes changes spec.finalizers only through the /finalize subresource, which kubesvc does
    // not serve: the namespace lifecycle removes "kubernetes" with a plain update once the
    // namespace is terminating, so only then may the finalizers change.
    if (!prev.metadata?.deletionTimestamp) {
      const spec = (ns.spec ??= {});
      if (prev.spec?.finalizers) spec.finalizers = [...prev.spec.finalizers];
      else delete spec.finalizers;
    }
    if (prev.status) ns.status = structuredClone(prev.status);
    else delete ns.status;
  },
  validate: (obj) => [...validateMetadataExtras(obj.metadata), ...validateNamespace(asNamespace(obj))],
  validateUpdate: (obj) => [...validateMetadataExtras(obj.metadata), ...validateNamespaceUpdate(asNamespace(obj))],
  validateStatusUpdate: (obj) => validateNamespace(asNamespace(obj)),
});
