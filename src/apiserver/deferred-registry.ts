// createApiServer returns synchronously, but strategies load asynchronously; this Registry waits
// for the real one on every call (`for()` needs it resolved: use it after `ready`).
import { serviceUnavailable } from '../api/errors.js';
import type { GenericRegistry, Registry } from '../registry/index.js';

export function deferredRegistry(p: Promise<Registry>): Registry {
  let real: Registry | undefined;
  p.then((r) => (real = r)).catch(() => {});
  const now = (): Registry => {
    if (!real) throw serviceUnavailable('the registry is still starting');
    return real;
  };
  return {
    get resources() {
      return now().resources;
    },
    for: (res): GenericRegistry => now().for(res),
    get: async (...a) => (await p).get(...a),
    list: async (...a) => (await p).list(...a),
    create: async (...a) => (await p).create(...a),
    update: async (...a) => (await p).update(...a),
    updateStatus: async (...a) => (await p).updateStatus(...a),
    patch: async (...a) => (await p).patch(...a),
    delete: async (...a) => (await p).delete(...a),
    watch: async (...a) => (await p).watch(...a),
  };
}
