// Binders for the scheduler. The typed client has no verb for POST subresources, so the binding
// goes to the registry directly when the scheduler runs inside the apiserver's process.
import { bindPod, type Registry } from '../registry/index.js';
import { toStatusError } from '../client/errors.js';
import type { PodBinder } from './scheduler.js';

/** Binds through the in-process registry, exactly as a POST to pods/binding would. */
export function registryBinder(registry: Registry): PodBinder {
  return async (namespace, name, nodeName) => {
    try {
      await bindPod(registry.for('/pods'), namespace, name, { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: nodeName } });
    } catch (e) {
      throw toStatusError(e);
    }
  };
}
