// Recording core/v1 Events on objects (habit 10: "why has my Service no endpoints?" should be
// answered by `kubectl describe`). Like client-go's recorder: fire-and-forget (recording never
// fails the caller), and a repeat of the same event on the same object bumps `count` and
// `lastTimestamp` of the existing Event instead of creating another.
import type { Event } from 'kubernetes-types/core/v1.js';
import { silentLogger, type Logger } from '../util/log.js';
import type { Client } from './client.js';
import { isNotFound } from './errors.js';
import { EVENTS } from './kinds.js';
import type { ApiObject } from './objects.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  /** Records an event about `obj` (it needs kind, apiVersion and metadata.name; uid if known). */
  event(obj: ApiObject, type: EventType, reason: string, message: string): void;
  /** Resolves when every event recorded so far has been written (or given up on). */
  flush(): Promise<void>;
}

export interface EventRecorderOptions {
  client: Client;
  /** source.component / reportingComponent, e.g. "endpoint-controller". */
  component: string;
  /** source.host / reportingInstance (the node name, for the node agent). */
  host?: string;
  now?: () => Date;
  logger?: Logger;
  /** How many distinct events to remember for aggregation (default 4096, oldest forgotten first). */
  cacheSize?: number;
}

interface Seen {
  namespace: string;
  name: string;
  count: number;
}

/** RFC 3339 with second precision, as metav1.Time serializes. */
function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function createEventRecorder(opts: EventRecorderOptions): EventRecorder {
  const events = opts.client.resource(EVENTS);
  const now = opts.now ?? (() => new Date());
  const log = (opts.logger ?? silentLogger).with({ component: opts.component });
  const cacheSize = opts.cacheSize ?? 4096;
  const seen = new Map<string, Seen>();
  let chain: Promise<void> = Promise.resolve();
  let serial = 0;

  async function write(obj: ApiObject, type: EventType, reason: string, message: string, at: Date): Promise<void> {
    const m = obj.metadata ?? {};
    const namespace = m.namespace || 'default';
    const key = JSON.stringify([obj.kind, namespace, m.name, m.uid, type, reason, message]);
    const prior = seen.get(key);
    if (prior) {
      try {
        await events.patch(prior.namespace, prior.name, 'application/merge-patch+json', { count: prior.count + 1, lastTimestamp: timestamp(at) });
        prior.count++;
        seen.delete(key);
        seen.set(key, prior);
        return;
      } catch (e) {
        // The Event was deleted (or expired): record it afresh.
        if (!isNotFound(e)) throw e;
        seen.delete(key);
      }
    }
    // client-go names events "<object name>.<unix nanoseconds in hex>"; the serial keeps two in one millisecond apart.
    const nanos = BigInt(at.getTime()) * 1_000_000n + BigInt(serial++ % 1_000_000);
    const ev: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${m.name}.${nanos.toString(16)}`, namespace },
      involvedObject: {
        kind: obj.kind,
        apiVersion: obj.apiVersion,
        namespace: m.namespace || undefined,
        name: m.name,
        uid: m.uid,
        resourceVersion: m.resourceVersion,
      },
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: timestamp(at),
      lastTimestamp: timestamp(at),
      source: { component: opts.component, host: opts.host },
      reportingComponent: opts.component,
      reportingInstance: opts.host ?? '',
    };
    const created = await events.create(namespace, ev);
    seen.set(key, { namespace, name: created.metadata?.name ?? '', count: 1 });
    while (seen.size > cacheSize) seen.delete(seen.keys().next().value as string);
  }

  return {
    event(obj, type, reason, message) {
      const at = now();
      // One write at a time, in order: a repeat must see the Event its predecessor created.
      chain = chain
        .then(() => write(obj, type, reason, message, at))
        .catch((e: unknown) => log.warn('could not record event', { reason, object: obj.metadata?.name, err: e }));
    },
    flush: () => chain,
  };
}
