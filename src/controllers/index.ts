// The controller manager: builds every controller in CONTROLLERS on one SharedInformerFactory,
// starts the informers, waits until their caches have synced (habit 3: nothing acts on a partial
// view), then lets the controllers work; stop() ends them all. Like kube-controller-manager, each
// controller is a named entry that can be switched off.
import { setMaxListeners } from 'node:events';
import type { Client } from '../client/client.js';
import { realClock, type Clock } from '../client/clock.js';
import { SharedInformerFactory } from '../client/factory.js';
import { silentLogger, type Logger } from '../util/log.js';
import { endpointsController } from './endpoints-controller.js';
import { endpointSliceMirroringController } from './endpointslice-mirroring-controller.js';
import { endpointSliceController } from './endpointslice-controller.js';
import { createEventRecorder, type EventRecorder } from './events/index.js';
import { deploymentController } from './deployment.js';
import { garbageCollectorController } from './garbage-collector.js';
import { replicaSetController } from './replicaset.js';
import { schedulerController, type PodBinder } from './scheduler.js';
import { DEFAULT_LOAD_BALANCER_CIDRS, serviceLbController } from './service-lb-controller.js';
import { serviceAccountController } from './serviceaccount.js';
import { statefulSetController } from './statefulset.js';

export interface ControllersConfig {
  client: Client;
  logger?: Logger;
  /** Share informers with other components of the process; default: a factory of our own. */
  informers?: SharedInformerFactory;
  /** Names of controllers to run (default: all in CONTROLLERS). "-name" switches one off, "*" means all. */
  controllers?: string[];
  /** Concurrent reconciles per controller (kube-controller-manager's --concurrent-*-syncs, default 5). */
  workers?: number;
  /** --max-endpoints-per-slice (default 100, 1..1000). */
  maxEndpointsPerSlice?: number;
  /** --mirroring-max-endpoints-per-subset (default 1000, 1..1000). */
  mirroringMaxEndpointsPerSubset?: number;
  clock?: Clock;
  /** How the scheduler POSTs pods/binding (in-process: registryBinder(registry)); without it the scheduler stays idle. */
  bindPod?: PodBinder;
  /** Wall clock for events and timestamps. */
  now?: () => Date;
  /** IPv4 CIDRs LoadBalancer Services get ingress addresses from (default 10.250.0.0/24). */
  loadBalancerCIDRs?: readonly string[];
}

/** What every controller is built from. */
export interface ControllerContext {
  client: Client;
  informers: SharedInformerFactory;
  logger: Logger;
  clock: Clock;
  now: () => Date;
  /** An event recorder whose events carry source.component = component. */
  recorder(component: string): EventRecorder;
  bindPod?: PodBinder;
  config: Readonly<Required<Pick<ControllersConfig, 'workers' | 'maxEndpointsPerSlice' | 'mirroringMaxEndpointsPerSubset' | 'loadBalancerCIDRs'>>>;
}

export interface Controller {
  /** Begin working; called once every informer has synced. */
  run(): void;
  /** Stop taking work and wait for reconciles in progress. */
  stop(): Promise<void>;
}

export interface ControllerDescriptor {
  /** kube-controller-manager's name for it (e.g. "endpoint-controller"). */
  name: string;
  /** Registers informers and handlers; must not act until run(). */
  create(ctx: ControllerContext): Controller;
}

/** Every controller the manager knows, in start order. Add new ones here (one line each). */
export const CONTROLLERS: ControllerDescriptor[] = [
  endpointsController,
  endpointSliceController,
  endpointSliceMirroringController,
  replicaSetController,
  deploymentController,
  statefulSetController,
  garbageCollectorController,
  schedulerController,
  serviceLbController,
  serviceAccountController,
];

export interface RunningControllers {
  /** Resolves once caches have synced and every controller runs; rejects if that fails. */
  ready: Promise<void>;
  /** Names of the controllers that run. */
  names: string[];
  stop(): Promise<void>;
}

/** kube-controller-manager's IsControllerEnabled: "-name" wins, then "name", then "*" (all); nothing listed = all. */
function enabledNames(want: string[] | undefined): Set<string> {
  const all = CONTROLLERS.map((c) => c.name);
  for (const w of want ?? []) {
    const n = w.replace(/^-/, '');
    if (w !== '*' && !all.includes(n)) throw new Error(`unknown controller ${JSON.stringify(n)} (known: ${all.join(', ')})`);
  }
  if (!want || want.length === 0) return new Set(all);
  const star = want.includes('*');
  return new Set(all.filter((n) => !want.includes(`-${n}`) && (want.includes(n) || star)));
}

function inRange(name: string, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`${name} must be an integer in [${lo}, ${hi}], got ${v}`);
  return v;
}

export function startControllers(config: ControllersConfig): RunningControllers {
  const logger = (config.logger ?? silentLogger).with({ component: 'controller-manager' });
  const clock = config.clock ?? realClock;
  const now = config.now ?? (() => new Date());
  const ownFactory = !config.informers;
  const informers = config.informers ?? new SharedInformerFactory(config.client, { logger, clock });
  const ctx: ControllerContext = {
    client: config.client,
    informers,
    logger,
    clock,
    now,
    recorder: (component) => createEventRecorder({ client: config.client, component, now, logger }),
    bindPod: config.bindPod,
    config: {
      workers: inRange('workers', config.workers ?? 5, 1, 100),
      maxEndpointsPerSlice: inRange('maxEndpointsPerSlice', config.maxEndpointsPerSlice ?? 100, 1, 1000),
      mirroringMaxEndpointsPerSubset: inRange('mirroringMaxEndpointsPerSubset', config.mirroringMaxEndpointsPerSubset ?? 1000, 1, 1000),
      loadBalancerCIDRs: config.loadBalancerCIDRs ?? DEFAULT_LOAD_BALANCER_CIDRS,
    },
  };
  const on = enabledNames(config.controllers);
  const descriptors = CONTROLLERS.filter((d) => on.has(d.name));
  const running = descriptors.map((d) => ({ name: d.name, c: d.create({ ...ctx, logger: logger.with({ controller: d.name }) }) }));
  const abort = new AbortController();
  // Every informer's waitForSync listens on this one signal; more than 10 is expected, not a leak.
  setMaxListeners(0, abort.signal);
  let stopped = false;
  informers.start();
  const ready = (async () => {
    await informers.waitForCacheSync(abort.signal);
    if (stopped) throw new Error('controllers stopped before their caches synced');
    for (const r of running) r.c.run();
    logger.info('controllers running', { controllers: running.map((r) => r.name).join(',') });
  })();
  // A caller that never awaits ready must not see an unhandled rejection when stopped early.
  ready.catch(() => {});
  return {
    ready,
    names: running.map((r) => r.name),
    async stop() {
      if (stopped) return;
      stopped = true;
      abort.abort();
      await Promise.all(running.map((r) => r.c.stop()));
      if (ownFactory) informers.stop();
    },
  };
}
