// Resolution of a requested read revision against the store's window [compacted, current].

import { CompactedError, FutureRevisionError } from '../types.js';

/** Returns the revision to read at (0/undefined = current), or throws if it is outside the window. */
export function resolveReadRevision(requested: number | undefined, current: number, compacted: number): number {
  if (requested === undefined || requested === 0) return current;
  if (!Number.isSafeInteger(requested) || requested < 0) throw new RangeError(`invalid revision ${requested}`);
  if (requested < compacted) throw new CompactedError(requested, compacted);
  if (requested > current) throw new FutureRevisionError(requested, current);
  return requested;
}

/**
 * A watch delivering events after `afterRevision` needs every event from afterRevision+1 on; the
 * oldest kept event revision is `compacted` (its prevKv is kept too), so afterRevision may be as
 * low as compacted-1.
 */
export function assertWatchable(afterRevision: number, compacted: number): void {
  if (!Number.isSafeInteger(afterRevision) || afterRevision < 0) {
    throw new RangeError(`invalid watch revision ${afterRevision}`);
  }
  if (afterRevision > 0 && afterRevision + 1 < compacted) throw new CompactedError(afterRevision, compacted);
}
