// What the sync loop asks of a dataplane backend (nftables, iptables): make the kernel carry this
// desired state, in one atomic step, or throw and leave the next call to rewrite everything.
import type { NodeFacts, ServicePortState } from './model.js';

export interface SyncStats {
  readonly kind: 'full' | 'partial';
  readonly chains: number;
  readonly rules: number;
  /** Map and set elements (0 for iptables). */
  readonly elements: number;
}

export interface Backend {
  readonly name: string;
  /** Programs `state`. `full` forces a complete rewrite. Throws when the kernel refused. */
  sync(state: readonly ServicePortState[], facts: NodeFacts, full: boolean): Promise<SyncStats>;
  /** Removes everything the backend wrote (clean shutdown). */
  cleanup(): Promise<void>;
}
