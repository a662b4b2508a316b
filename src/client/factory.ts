// One informer per resource (and namespace/selector) shared by every component in a process, so
// the proxy, DNS and the controllers do not each hold their own watch and copy of the Services.
import { silentLogger, type Logger } from '../util/log.js';
import type { BackoffOptions } from './backoff.js';
import type { IndexFunc } from './cache.js';
import type { Client } from './client.js';
import { realClock, type Clock } from './clock.js';
import { createInformer, type Informer } from './informer.js';
import type { Kind } from './kinds.js';
import type { ApiObject } from './objects.js';

export interface SharedInformerFactoryOptions {
  /** Restrict every informer to one namespace (default: all). */
  namespace?: string;
  resyncPeriodMs?: number;
  clock?: Clock;
  backoff?: BackoffOptions;
  logger?: Logger;
}

export interface InformerFor<T> {
  labelSelector?: string;
  fieldSelector?: string;
  /** Added to the shared informer (names must not clash with another user's indexers). */
  indexers?: Record<string, IndexFunc<T>>;
}

export class SharedInformerFactory {
  private readonly informers = new Map<string, Informer<ApiObject>>();
  private started = false;

  constructor(
    private readonly client: Client,
    private readonly opts: SharedInformerFactoryOptions = {},
  ) {}

  /** The shared informer for a resource; created on first use, started at once if the factory is. */
  informerFor<T extends ApiObject>(kind: Kind<T>, o: InformerFor<T> = {}): Informer<T> {
    const info = kind.info;
    const id = `${info.group}/${info.plural}?l=${o.labelSelector ?? ''}&f=${o.fieldSelector ?? ''}`;
    let inf = this.informers.get(id) as Informer<T> | undefined;
    if (!inf) {
      inf = createInformer<T>({
        client: this.client.resource(kind),
        namespace: this.opts.namespace,
        labelSelector: o.labelSelector,
        fieldSelector: o.fieldSelector,
        resyncPeriodMs: this.opts.resyncPeriodMs,
        clock: this.opts.clock ?? realClock,
        backoff: this.opts.backoff,
        logger: this.opts.logger ?? silentLogger,
      });
      this.informers.set(id, inf as unknown as Informer<ApiObject>);
      if (this.started) inf.start();
    }
    if (o.indexers) {
      const fresh = Object.entries(o.indexers).filter(([name]) => !inf.indexer.hasIndex(name));
      if (fresh.length) inf.addIndexers(Object.fromEntries(fresh));
    }
    return inf;
  }

  /** Starts every informer made so far, and any made later. */
  start(): void {
    this.started = true;
    for (const inf of this.informers.values()) inf.start();
  }

  /** Resolves when every informer made so far has synced. */
  async waitForCacheSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
  }

  stop(): void {
    for (const inf of this.informers.values()) inf.stop();
  }
}
