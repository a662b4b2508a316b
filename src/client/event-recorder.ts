// An event recorder with client-go's (tools/record) behaviour, so `kubectl describe` shows what
// controllers did and why: core/v1 Events named `<object>.<hex unix-nanos>`, identical events folded
// into one whose count and lastTimestamp grow, more than 10 different messages for the same
// object+reason within 10 minutes folded into one "(combined from similar events): ..." event, and a
// per-object token bucket (burst 25, one token per 5 minutes) so a hot loop cannot flood the store.
// Writes happen in the background; recordEvent never blocks or throws.
import type { Event, ObjectReference } from 'kubernetes-types/core/v1.js';
import type { Client } from './client.js';
import { isAlreadyExists, isNotFound } from './errors.js';
import { EVENTS } from './kinds.js';
import type { ApiObject } from './objects.js';
import { silentLogger, type Logger } from '../util/log.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderConfig {
  client: Client;
  /** source.component and reportingComponent, e.g. "endpoint-controller". */
  component: string;
  /** source.host (the kubelet sets its node name; controllers leave it empty). */
  host?: string;
  /** Wall-clock time for timestamps and names (injected for tests). */
  now?: () => Date;
  logger?: Logger;
  /** Identical-event cache size (client-go: 4096). */
  maxCachedEvents?: number;
  /** Spam filter: burst and refill interval per involved object (client-go: 25, 5 min). */
  spamBurst?: number;
  spamRefillMs?: number;
}

export interface EventRecorder {
  recordEvent(involvedObject: ApiObject & { fieldPath?: string }, type: EventType, reason: string, message: string): void;
  /** Resolves when every event recorded so far has been written (or given up on). */
  flush(): Promise<void>;
}

/** client-go's aggregator: this many distinct messages per object+reason within the window are combined. */
const SIMILAR_MAX = 10;
const SIMILAR_WINDOW_MS = 10 * 60 * 1000;
const COMBINED_PREFIX = '(combined from similar events): ';

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

interface Similar {
  messages: Set<string>;
  since: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

// Shared by every recorder in the process: two controllers recording about one object in the same
// millisecond (the endpoints and load balancer controllers on a new Service) must not pick one name.
let lastNanos = 0n;

/** Unix nanoseconds from the wall clock, strictly increasing within the process. */
function uniqueNanos(d: Date): bigint {
  let n = BigInt(d.getTime()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
  if (n <= lastNanos) n = lastNanos + 1n;
  lastNanos = n;
  return n;
}

/**
 * The involvedObject of an event about `obj`; a `fieldPath` on it names a part of the object (the
 * kubelet's `spec.containers{web}`), as ObjectReference.fieldPath does.
 */
export function referenceTo(obj: ApiObject & { fieldPath?: string }): ObjectReference {
  const m = obj.metadata ?? {};
  return {
    kind: obj.kind,
    namespace: m.namespace,
    name: m.name,
    uid: m.uid,
    apiVersion: obj.apiVersion,
    resourceVersion: m.resourceVersion,
    ...(obj.fieldPath ? { fieldPath: obj.fieldPath } : {}),
  };
}

export function createEventRecorder(config: EventRecorderConfig): EventRecorder {
  if (!config.component) throw new Error('event recorder: component is required');
  const events = config.client.resource(EVENTS);
  const now = config.now ?? (() => new Date());
  const log = (config.logger ?? silentLogger).with({ component: 'event-recorder', source: config.component });
  const maxCached = config.maxCachedEvents ?? 4096;
  const burst = config.spamBurst ?? 25;
  const refillMs = config.spamRefillMs ?? 5 * 60 * 1000;
  const host = config.host ?? '';
  const seen = new Map<string, Seen>();
  const similar = new Map<string, Similar>();
  const buckets = new Map<string, Bucket>();
  const inFlight = new Set<Promise<void>>();
  // Writes for one event key run in order, so a count bump never overtakes the create.
  const tails = new Map<string, Promise<void>>();

  const allow = (objKey: string, t: number): boolean => {
    let b = buckets.get(objKey);
    if (!b) {
      b = { tokens: burst, at: t };
      buckets.set(objKey, b);
    }
    b.tokens = Math.min(burst, b.tokens + (t - b.at) / refillMs);
    b.at = t;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  };

  const remember = (key: string, s: Seen) => {
    seen.delete(key);
    seen.set(key, s);
    if (seen.size > maxCached) seen.delete(seen.keys().next().value as string);
  };

  const write = async (ev: Event, prior: Seen | undefined): Promise<void> => {
    const ns = ev.metadata?.namespace ?? 'default';
    if (prior) {
      try {
        await events.patch(ns, prior.name, 'application/strategic-merge-patch+json', {
          count: ev.count,
          lastTimestamp: ev.lastTimestamp,
          message: ev.message,
        });
        return;
      } catch (e) {
        // client-go: an event that vanished (TTL, deleted) is created afresh, keeping the count.
        if (!isNotFound(e)) throw e;
      }
      ev = { ...ev, metadata: { name: prior.name, namespace: ns } };
    }
    try {
      await events.create(ns, ev);
    } catch (e) {
      // Another process (the node agent) may have taken the name: take a fresh one, once.
      if (!isAlreadyExists(e) || prior) throw e;
      const base = ev.involvedObject.name ?? 'event';
      const name = `${base}.${uniqueNanos(now()).toString(16)}`;
      const key = [...seen.entries()].find(([, s]) => s.name === ev.metadata?.name)?.[0];
      if (key) remember(key, { ...seen.get(key)!, name });
      await events.create(ns, { ...ev, metadata: { name, namespace: ns } });
    }
  };

  const enqueue = (key: string, job: () => Promise<void>) => {
    const prev = tails.get(key) ?? Promise.resolve();
    const p: Promise<void> = prev
      .then(job)
      .catch((e: unknown) => log.warn('could not write event', { key, err: e }))
      .finally(() => {
        inFlight.delete(p);
        if (tails.get(key) === p) tails.delete(key);
      });
    tails.set(key, p);
    inFlight.add(p);
  };

  return {
    recordEvent(obj, type, reason, message) {
      const ref = referenceTo(obj);
      const d = now();
      const t = d.getTime();
      const objKey = [config.component, host, ref.kind, ref.namespace, ref.name, ref.uid, ref.apiVersion, ref.fieldPath ?? ''].join('\0');
      if (!allow(objKey, t)) {
        log.debug('event dropped by the spam filter', { object: `${ref.namespace}/${ref.name}`, reason });
        return;
      }
      // Aggregation of similar events (same object, type and reason, different messages).
      const simKey = [objKey, type, reason].join('\0');
      let sim = similar.get(simKey);
      if (!sim || t - sim.since > SIMILAR_WINDOW_MS) {
        sim = { messages: new Set(), since: t };
        similar.set(simKey, sim);
      }
      sim.messages.add(message);
      let key = [simKey, message].join('\0');
      if (sim.messages.size > SIMILAR_MAX) {
        message = COMBINED_PREFIX + message;
        key = [simKey, COMBINED_PREFIX].join('\0');
      }
      const stamp = rfc3339(d);
      const prior = seen.get(key);
      const namespace = ref.namespace || 'default';
      const name = prior?.name ?? `${ref.name}.${uniqueNanos(d).toString(16)}`;
      const count = (prior?.count ?? 0) + 1;
      const firstTimestamp = prior?.firstTimestamp ?? stamp;
      remember(key, { name, namespace, count, firstTimestamp });
      const ev: Event = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: ref,
        reason,
        message,
        source: host ? { component: config.component, host } : { component: config.component },
        firstTimestamp,
        lastTimestamp: stamp,
        count,
        type,
        reportingComponent: config.component,
        reportingInstance: host,
      };
      enqueue(key, () => write(ev, prior));
    },
    async flush() {
      while (inFlight.size) await Promise.all([...inFlight]);
    },
  };
}
