// The service proxy: informers → change tracker → one rate-limited sync loop → the backend (nftables).
// Nothing is written before Services and EndpointSlices are listed (habit 3); after a failed sync
// the next one rewrites the whole table; a clean stop removes the table.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { deletedObject, ENDPOINTSLICES, objectKey, SERVICES, SharedInformerFactory } from '../client/index.js';
import { ChangeTracker, type StaleUDP } from './change-tracker.js';
import { resolveProxyConfig, type ProxyConfig, type ResolvedProxyConfig } from './config.js';
import { clearStaleUDP } from './conntrack.js';
import { createProxyMetrics, type ProxyMetrics } from './metrics.js';
import type { NodeFacts } from './model.js';
import type { Backend, SyncStats } from './backend.js';
import { HealthServers, healthTargets } from './health-server.js';
import { iptablesBackend } from './iptables/backend.js';
import { nftablesBackend } from './nftables/backend.js';
import { SyncRunner } from './sync-runner.js';
import { userspaceBackend } from './userspace/backend.js';

export interface Proxy {
  /** Resolves after the first successful sync (rules live for everything listed at start). */
  readonly ready: Promise<void>;
  readonly metrics: ProxyMetrics;
  start(): void;
  /** Stops syncing and removes the kubesvc table. */
  stop(): Promise<void>;
  /** Health-check node ports currently open. */
  healthCheckPorts(): number[];
  /** Resolves once no sync is running or due (tests). */
  idle(): Promise<void>;
}

export function createProxy(config: ProxyConfig): Proxy {
  const c: ResolvedProxyConfig = resolveProxyConfig(config);
  const log = c.logger.with({ component: 'proxy' });
  const metrics = createProxyMetrics(c.metricsRegistry);
  const tracker = new ChangeTracker(() => c.clock.now());
  const ownFactory = !c.informers;
  const factory = c.informers ?? new SharedInformerFactory(c.client!, { clock: c.clock, logger: log });
  const facts: NodeFacts = {
    nodeName: c.nodeName,
    serviceCIDRs: c.serviceCIDRs,
    podCIDR: c.podCIDR || undefined,
    nodePortAddresses: c.nodePortAddresses,
  };
  const backend: Backend =
    c.mode === 'iptables'
      ? iptablesBackend(c.exec, { iptables: c.iptablesCommand, restore: c.iptablesRestoreCommand, save: c.iptablesSaveCommand })
      : c.mode === 'userspace'
        ? userspaceBackend({ exec: c.exec, ipCommand: c.ipCommand, udpIdleMs: c.udpIdleTimeoutMs, logger: log })
        : nftablesBackend(c.exec, c.nftCommand);
  const health = c.healthCheckBindAddress === null ? undefined : new HealthServers(c.healthCheckBindAddress, log);
  let lastFull = -Infinity;
  let synced = false;
  let pendingStale: StaleUDP[] = [];
  // Arrival times of EndpointSlice changes not yet live (kept across failed syncs).
  let pendingTimes: number[] = [];
  let wrote = false;
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  const abort = new AbortController();

  async function sync(): Promise<boolean> {
    if (!synced) return true;
    const started = c.clock.now();
    const out = tracker.checkout();
    pendingStale.push(out.staleUDP);
    pendingTimes.push(...out.endpointChangeTimes);
    let stats: SyncStats;
    try {
      wrote = true;
      stats = await backend.sync(out.state, facts, started - lastFull >= c.fullSyncPeriodMs);
    } catch (e) {
      metrics.syncFailures.inc();
      log.error('sync failed; the next sync rewrites everything', { err: e });
      return false;
    }
    if (stats.kind === 'full') lastFull = started;
    const kind = stats.kind;
    const done = c.clock.now();
    metrics.syncDuration.observe({ kind }, (done - started) / 1000);
    metrics.lastSyncTimestamp.set(Date.now() / 1000);
    metrics.rulesProgrammed.set({ what: 'chains' }, stats.chains);
    metrics.rulesProgrammed.set({ what: 'rules' }, stats.rules);
    metrics.rulesProgrammed.set({ what: 'elements' }, stats.elements);
    for (const t of pendingTimes) metrics.programmingLatency.observe(Math.max(0, done - t) / 1000);
    pendingTimes = [];
    if (health) await health.sync(healthTargets(out.state, c.nodeName));
    // The rules are live: now drop UDP flows pinned to what they no longer send to.
    const stale = pendingStale;
    pendingStale = [];
    // The userspace backend has no conntrack entries: it ends its own UDP sessions.
    for (const s of c.mode === 'userspace' ? [] : stale) {
      for (const err of await clearStaleUDP(c.exec, c.conntrackCommand, s)) log.warn('stale UDP conntrack cleanup failed', { err });
    }
    log.debug('synced', { kind, services: out.changed.size, ms: Math.round(done - started) });
    if (!readyDone) {
      readyDone = true;
      markReady();
      log.info('rules programmed', { backend: backend.name, chains: stats.chains, rules: stats.rules });
    }
    return true;
  }
  let readyDone = false;

  const runner = new SyncRunner({
    clock: c.clock,
    minIntervalMs: c.minSyncIntervalMs,
    retryMs: c.retryMs,
    periodMs: c.fullSyncPeriodMs,
    run: sync,
    onError: (e) => log.error('sync threw', { err: e }),
  });

  // Before the caches synced, changes only accumulate in the tracker; the first sync takes them all.
  const changed = () => {
    if (synced) runner.request();
  };

  return {
    ready,
    metrics,
    start() {
      const services = factory.informerFor(SERVICES);
      const slices = factory.informerFor(ENDPOINTSLICES);
      services.addEventHandler({
        onAdd: (s: Service) => (tracker.serviceChanged(objectKey(s), s), changed()),
        onUpdate: (_o: Service, s: Service) => (tracker.serviceChanged(objectKey(s), s), changed()),
        onDelete: (s) => (tracker.serviceChanged(objectKey(deletedObject(s)), undefined), changed()),
      });
      slices.addEventHandler({
        onAdd: (s: EndpointSlice) => (tracker.sliceChanged(s, false), changed()),
        onUpdate: (_o: EndpointSlice, s: EndpointSlice) => (tracker.sliceChanged(s, false), changed()),
        onDelete: (s) => (tracker.sliceChanged(deletedObject(s), true), changed()),
      });
      factory.start();
      void Promise.all([services.waitForSync(abort.signal), slices.waitForSync(abort.signal)]).then(
        () => {
          synced = true;
          log.info('caches synced; programming rules');
          runner.start();
        },
        () => {},
      );
    },
    async stop() {
      abort.abort();
      await runner.stop();
      if (ownFactory) factory.stop();
      await health?.close();
      if (wrote) {
        try {
          await backend.cleanup();
        } catch (e) {
          log.warn('could not remove the proxy rules', { backend: backend.name, err: e });
        }
      }
    },
    healthCheckPorts: () => health?.ports() ?? [],
    async idle() {
      await runner.settled();
    },
  };
}
