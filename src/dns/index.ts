// The cluster DNS component: createDns(config) → start() / stop() / ready.
// Informers over Namespaces, Services, EndpointSlices (and Pods in `verified` pod mode) feed the
// ZoneIndex incrementally; the sockets answer from it. Until every informer has synced, names in
// the zone are answered SERVFAIL (never NXDOMAIN), so a starting server cannot deny a real name.
import type { Namespace, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import {
  createInformer,
  deletedObject,
  ENDPOINTSLICES,
  NAMESPACES,
  PODS,
  SERVICES,
  SharedInformerFactory,
  type ApiObject,
  type EventHandlers,
  type Informer,
  type Kind,
} from '../client/index.js';
import { silentLogger } from '../util/log.js';
import type { AnswerContext } from './answer.js';
import { AnswerCache } from './answer-cache.js';
import { resolveConfig, type DnsConfig, type Listen, type ResolvedDnsConfig } from './config.js';
import { ForwardCache } from './forward-cache.js';
import { Forwarder } from './forwarder.js';
import type { HandlerDeps } from './handler.js';
import { createDnsMetrics, type DnsMetrics } from './metrics.js';
import { closeListener, listen, type Listener } from './server.js';
import { canonicalIP, ZoneIndex } from './zone-index.js';
import { slimNamespace, slimPod, slimService, slimSlice } from './slim.js';

export type { DnsConfig, Listen, PodMode, Upstream } from './config.js';
export { upstreamsFromResolvConf, normalizeZone } from './config.js';
export { ensureKubeDnsPresence, kubeDnsClusterIP, type PresenceConfig } from './presence.js';

export interface Dns {
  readonly config: ResolvedDnsConfig;
  readonly metrics: DnsMetrics;
  readonly index: ZoneIndex;
  /** Resolves once the caches have synced and the sockets listen; rejects if either fails. */
  readonly ready: Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The addresses actually bound (ports resolved when 0 was asked for). */
  addresses(): Listen[];
  synced(): boolean;
}

const TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

export interface CreateDnsOptions {
  /** The process's shared informer factory; without it the component makes and runs its own. */
  informers?: SharedInformerFactory;
}

export function createDns(config: DnsConfig, opts: CreateDnsOptions = {}): Dns {
  const cfg = resolveConfig(config, silentLogger);
  const log = cfg.logger;
  const now = config.now ?? Date.now;
  const metrics = createDnsMetrics(config.metrics);
  const index = new ZoneIndex(cfg.zone);
  // Without a shared factory the informers are our own, and keep only what answers need (slim.ts).
  const shared = opts.informers;
  const listeners: Listener[] = [];
  const informers: Informer<ApiObject>[] = [];
  let isSynced = false;
  let stopped = false;
  let readyResolve!: () => void;
  let readyReject!: (e: unknown) => void;
  const ready = new Promise<void>((res, rej) => {
    readyResolve = res;
    readyReject = rej;
  });
  ready.catch(() => {});

  const ctx: AnswerContext = {
    zone: cfg.zone,
    ttl: cfg.ttl,
    podMode: cfg.podMode,
    index,
    nsAddresses() {
      const e = index.service('kube-system', 'kube-dns');
      return e && e.kind === 'cluster' && e.ips.length ? e.ips : cfg.nsAddresses;
    },
  };
  const cache = new ForwardCache({ maxEntries: cfg.cacheSize, maxTtl: cfg.cacheMaxTtl, maxNegativeTtl: cfg.cacheMaxNegativeTtl, now });
  // An upstream that is one of our own listeners would forward every miss to ourselves forever
  // (what CoreDNS's loop plugin guards against): leave it out, loudly.
  const upstreams = cfg.upstreams.filter((u) => {
    const self = cfg.listen.some((l) => l.port !== 0 && l.port === u.port && (l.host === u.host || l.host === '0.0.0.0' || l.host === '::'));
    if (self) log.warn('ignoring an upstream that is this server itself', { upstream: `${u.host}:${u.port}` });
    return !self;
  });
  const forwarder = upstreams.length
    ? new Forwarder({ upstreams, timeoutMs: cfg.upstreamTimeoutMs, cache, onCache: (hit) => metrics.cache(hit) })
    : undefined;
  const deps: HandlerDeps = { ctx, forwarder, metrics, maxUdpPayload: cfg.maxUdpPayload, synced: () => isSynced, answerCache: new AnswerCache() };

  function watch<T extends ApiObject>(kind: Kind<T>, slim: (o: T) => T, apply: (o: T, present: boolean) => void, trigger?: (o: T) => string | undefined): void {
    const inf = shared ? shared.informerFor(kind) : createInformer<T>({ client: cfg.client.resource(kind), transform: slim, logger: log });
    const observe = (o: T) => {
      const t = trigger?.(o);
      if (!t) return;
      const at = Date.parse(t);
      if (Number.isFinite(at)) metrics.programmed((now() - at) / 1000);
    };
    const h: EventHandlers<T> = {
      onAdd: (o, initial) => {
        apply(o, true);
        if (!initial) observe(o);
      },
      onUpdate: (old, cur) => {
        if (old === cur) return;
        apply(old, false);
        apply(cur, true);
        observe(cur);
      },
      onDelete: (o) => apply(deletedObject(o), false),
    };
    inf.addEventHandler(h);
    informers.push(inf as unknown as Informer<ApiObject>);
  }
  watch<Namespace>(NAMESPACES, slimNamespace, (n, p) => index.setNamespace(n.metadata?.name ?? '', p));
  watch<Service>(SERVICES, slimService, (s, p) => index.setService(s, p), (s) => s.metadata?.creationTimestamp);
  watch<EndpointSlice>(ENDPOINTSLICES, slimSlice, (s, p) => index.setSlice(s, p), (s) => s.metadata?.annotations?.[TRIGGER_TIME]);
  if (cfg.podMode === 'verified') watch<Pod>(PODS, slimPod, (pod, p) => index.setPod(pod, p));

  async function start(): Promise<void> {
    try {
      // Listen first: before the sync, in-zone names are SERVFAIL and other names are forwarded.
      for (const l of cfg.listen) {
        const listener = await listen(deps, l, log);
        // stop() may have run while this socket was being bound: it closed what it saw, so a socket
        // bound after it would be left open and keep the process alive for ever.
        if (stopped) {
          await closeListener(listener);
          throw new Error('dns stopped while it was starting');
        }
        listeners.push(listener);
      }
      log.info('dns listening', { addresses: listeners.map((l) => `${l.address.host}:${l.address.port}`).join(','), zone: cfg.zone });
      if (!shared) for (const i of informers) i.start();
      await Promise.all(informers.map((i) => i.waitForSync()));
      if (stopped) throw new Error('dns stopped before its caches synced');
      isSynced = true;
      log.info('dns caches synced', { services: index.serviceCount });
      readyResolve();
    } catch (e) {
      readyReject(e);
      throw e;
    }
  }

  async function stop(): Promise<void> {
    stopped = true;
    if (!shared) for (const i of informers) i.stop();
    await Promise.all(listeners.splice(0).map(closeListener));
  }

  return {
    config: cfg,
    metrics,
    index,
    ready,
    start,
    stop,
    addresses: () => listeners.map((l) => l.address),
    synced: () => isSynced,
  };
}

export { canonicalIP };
