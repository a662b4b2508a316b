// Checks shared by every backend before a transaction touches anything.

import type { Op } from '../types.js';

/** etcd rejects a txn that writes one key twice; so do we (the outcome would depend on op order). */
export function assertDistinctKeys(ops: Op[]): void {
  const seen = new Set<string>();
  for (const op of ops) {
    if (seen.has(op.key)) throw new Error(`duplicate key given in txn request: ${JSON.stringify(op.key)}`);
    seen.add(op.key);
  }
}
