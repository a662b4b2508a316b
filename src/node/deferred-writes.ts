// Writes that can wait: the agent's events (Pulled, Created, Started, ...) go to the API server
// only when no pod sync is running, or after `maxDelayMs` at the latest. A burst of pods is bound
// by CPU, and each event is a create through the API server: written in the middle of the burst
// they delayed the status writes that make pods Ready. The kubelet's event recording is just as
// asynchronous (a buffered broadcaster). Timestamps are the recorder's, taken when the event
// happened; only the write is later. Reads and watches pass straight through.
import type { Transport } from '../client/index.js';

export interface IdleGate {
  /** Resolves once nothing is busy (or after the gate's longest delay). */
  idle(): Promise<void>;
  /** Marks one unit of work as running; call the returned function when it ends. */
  busy(): () => void;
}

export function idleGate(maxDelayMs: number): IdleGate {
  let running = 0;
  let waiters: (() => void)[] = [];
  const release = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  return {
    idle: () =>
      running === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            waiters.push(resolve);
            setTimeout(resolve, maxDelayMs).unref();
          }),
    busy() {
      running++;
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        if (--running === 0) release();
      };
    },
  };
}

/** A transport whose writes wait for `gate.idle()`; everything else is the inner transport's. */
export function writesWhenIdle(inner: Transport, gate: IdleGate): Transport {
  return {
    name: inner.name,
    get: (...a) => inner.get(...a),
    list: (...a) => inner.list(...a),
    watch: (...a) => inner.watch(...a),
    create: async (...a) => (await gate.idle(), inner.create(...a)),
    update: async (...a) => (await gate.idle(), inner.update(...a)),
    updateStatus: async (...a) => (await gate.idle(), inner.updateStatus(...a)),
    patch: async (...a) => (await gate.idle(), inner.patch(...a)),
    delete: async (...a) => (await gate.idle(), inner.delete(...a)),
    // The inner transport is shared with the rest of the agent: closing is its owner's job.
    close: () => {},
  };
}
