// The node agent (our kubelet): registers the Node, and runs the pods bound to it as processes in
// their own sandboxes. Habit 2: informer handlers only queue the pod's UID; one sync per pod at a
// time reconciles (work queue). Stopping the agent leaves pods running (a restarted agent adopts
// them); `stopPods()` ends them all (cluster shutdown, tests).
import { readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  CONFIGMAPS,
  SECRETS,
  createClient,
  createEventRecorder,
  deletedObject,
  isNotFound,
  PODS,
  runWorkers,
  SERVICES,
  SharedInformerFactory,
  WorkQueue,
  type Client,
  type Informer,
} from '../client/index.js';
import type { Logger } from '../util/log.js';
import { processStartTime, signalProcess, type ProcessLauncher } from './container-process.js';
import { idleGate, writesWhenIdle } from './deferred-writes.js';
import { forkServerLauncher } from './fork-launcher.js';
import { ForkServer } from './fork-server.js';
import { hostRunner, type Runner } from './exec.js';
import { LogIndexer } from './log-index.js';
import { createLogServer, LogNotFound } from './log-server.js';
import { busyboxDir } from './images/busybox-dir.js';
import { ensureDocRoots, type NativeRuntime } from './images/native.js';
import { checkHost, currentHost, findOnPath, type HostReadiness } from './host-check.js';
import { readNodeFacts, type NodeFacts } from './node-facts.js';
import { PodWorker, type PodTrace } from './pod-worker.js';
import { createNodeRegistration, type NodeRegistration } from './registration.js';
import { isMirrorPod, mirrorLogSource } from './mirror-pod.js';
import { SandboxManager } from './sandbox.js';
import { containerTarget } from './streams/target.js';

export interface NodeAgentConfig {
  client: Client;
  logger: Logger;
  nodeName: string;
  /** The node's address (InternalIP; pods' hostIP). */
  internalIP: string;
  /** Holds ipam.json, pods/<uid>/ (DNS files, logs, container records) and busybox-bin/. */
  dataDir: string;
  podCIDR?: string;
  clusterCIDR?: string;
  clusterDNS?: string[];
  clusterDomain?: string;
  /** Service CIDRs to route onto the pod bridge (see SandboxConfig.serviceCIDRs). */
  serviceCIDRs?: string[];
  /** Namespaces of pods are `<netnsPrefix><uid>` under /run/netns (default `ksvc-<nodeName>-`). */
  netnsPrefix?: string;
  /** Network namespace of the node when the agent itself is not in it (tests): host commands and hostNetwork pods go there. */
  nodeNetnsPath?: string;
  run?: Runner;
  launch?: ProcessLauncher;
  /** Host readiness (default: root, Linux, ip/nft/unshare/nsenter on PATH). */
  readiness?: () => HostReadiness;
  facts?: NodeFacts;
  /**
   * Pods synced at once (default 32; the kubelet has no such limit). A pod's sync mostly waits
   * for host commands, so more at once means bigger shared `ip -batch` runs: 32 beat 8 in a
   * 100-pod burst (bench/node).
   */
  workers?: number;
  /** Capacity in pods (default 110, as the kubelet). */
  maxPods?: number;
  statusCheckIntervalMs?: number;
  /** Port of the agent's HTTP endpoint (container logs) on internalIP; 0 = any free port. Default 10250. */
  kubeletPort?: number;
  /**
   * How built-in images run: `busybox` (default when busybox is installed: nginx, httpd and pause
   * as busybox programs, ~1 MiB each) or `node` (every built-in container is a Node process).
   */
  builtinServers?: 'busybox' | 'node';
  /** Start host commands and containers from a small shell (fork-server.ts) instead of forking the agent. Default true. */
  forkServer?: boolean;
  /** A container's log is rotated past this size (default 10 MiB, the kubelet's containerLogMaxSize). */
  logMaxBytes?: number;
  /** Longest delay of an event write while pods are being synced (default 2000 ms; deferred-writes.ts). */
  eventDelayMaxMs?: number;
  /** Called at each start-up stage of a pod (bench/node's per-stage breakdown); see PodStage. */
  trace?: PodTrace;
}

export interface NodeAgent {
  start(): Promise<void>;
  /** Resolves when the Node is registered and (if the host can run pods) pods are being synced. */
  readonly ready: Promise<void>;
  /** Stops the agent; pods keep running. */
  stop(): Promise<void>;
  /** Kills every pod's processes and removes every sandbox and the bridge. */
  stopPods(): Promise<void>;
  readonly registration: NodeRegistration;
}

/** For env sources: a missing ConfigMap or Secret is an answer (the container waits), not a failure. */
function undefinedIfNotFound(e: unknown): undefined {
  if (isNotFound(e)) return undefined;
  throw e;
}

export function createNodeAgent(config: NodeAgentConfig): NodeAgent {
  if (!config.nodeName) throw new Error('the node agent needs a node name');
  if (!config.internalIP) throw new Error('the node agent needs the node IP');
  const log = config.logger.with({ component: 'node-agent', node: config.nodeName });
  let forks: ForkServer | undefined;
  // A fork server that died (not closed) is replaced on next use; meanwhile the agent forks itself.
  const liveForks = () => {
    if (forks && !forks.alive && !forks.closed) {
      log.warn('the fork server died; starting a new one');
      forks = new ForkServer(config.dataDir);
    }
    return forks;
  };
  // Host commands and container starts go through the fork server while it runs (see fork-server.ts).
  const baseRun: Runner = config.run ?? ((cmd, args, input) => (liveForks()?.alive ? forks!.run(cmd, args, input) : hostRunner(cmd, args, input)));
  const launch = config.launch ?? forkServerLauncher(liveForks);
  const run: Runner = config.nodeNetnsPath ? (cmd, args, input) => baseRun('nsenter', [`--net=${config.nodeNetnsPath}`, '--', cmd, ...args], input) : baseRun;
  const readiness = config.readiness ?? (() => checkHost(currentHost()));
  const registration = createNodeRegistration({
    client: config.client,
    logger: log,
    nodeName: config.nodeName,
    internalIP: config.internalIP,
    podCIDR: config.podCIDR,
    clusterCIDR: config.clusterCIDR,
    facts: config.facts ?? readNodeFacts(config.dataDir),
    readiness,
    statusCheckIntervalMs: config.statusCheckIntervalMs,
    maxPods: config.maxPods,
    kubeletPort: () => logServer.port(),
  });
  const byName = new Map<string, PodWorker>();
  const logServer = createLogServer((ns, name, container, previous) => {
    const w = byName.get(`${ns}/${name}`);
    // Mirror pods stand for in-process components (DNS, proxy): their log is the component's.
    const mirror = w ? undefined : mirrorLogSource(config.dataDir, ns, name, container);
    if (mirror) return mirror;
    if (!w) throw new LogNotFound(`pod "${name}" in namespace "${ns}" is not running on node ${config.nodeName}`, 404);
    return w.logSource(container, previous);
  }, (ns, name, container) => {
    // exec and attach (streams/): the container's pid, spec, current log and stdin FIFO.
    const w = byName.get(`${ns}/${name}`);
    if (!w || !sandboxes) throw new LogNotFound(`pod "${name}" in namespace "${ns}" is not running on node ${config.nodeName}`, 404);
    return containerTarget(w.pod, sandboxes.podDir(w.uid), container, (c) => w.logSource(c, false));
  }, (ns, name) => {
    // port-forward (streams/portforward.ts) connects to the pod's IP.
    const w = byName.get(`${ns}/${name}`);
    const podIP = w?.pod.status?.podIP;
    if (!w || !podIP) throw new LogNotFound(`pod "${name}" in namespace "${ns}" is not running on node ${config.nodeName}`, 404);
    return { podFullName: `${name}_${ns}`, uid: w.uid, podIP };
  });
  let rotateTimer: NodeJS.Timeout | undefined;
  const indexer = new LogIndexer();
  // Events are written when no pod sync runs (at most 2 s late): see deferred-writes.ts.
  const syncing = idleGate(config.eventDelayMaxMs ?? 2000);
  const recorder = createEventRecorder({ client: createClient(writesWhenIdle(config.client.transport, syncing)), component: 'kubelet', host: config.nodeName, logger: log });
  const factory = new SharedInformerFactory(config.client, { logger: log });
  const queue = new WorkQueue<string>({ name: 'node-agent' });
  const workers = new Map<string, PodWorker>();
  const latest = new Map<string, Pod>();
  let pods: Informer<Pod> | undefined;
  let sandboxes: SandboxManager | undefined;
  let workersDone: Promise<void> | undefined;
  let resolveReady!: () => void;
  let rejectReady!: (e: unknown) => void;
  const ready = new Promise<void>((res, rej) => ((resolveReady = res), (rejectReady = rej)));
  ready.catch(() => {});

  /** Processes of a pod that no longer exists: recorded in its containers.json. */
  async function killRecorded(uid: string): Promise<void> {
    try {
      const saved = JSON.parse(await readFile(join(sandboxes!.podDir(uid), 'containers.json'), 'utf8')) as Record<string, { pid?: number; startTicks?: string }>;
      for (const r of Object.values(saved)) if (r.pid && r.startTicks && processStartTime(r.pid) === r.startTicks) signalProcess(r.pid, 'SIGKILL');
    } catch {
      // nothing recorded
    }
  }

  async function sync(uid: string): Promise<void> {
    const done = syncing.busy();
    try {
      await syncPod(uid);
    } finally {
      done();
    }
  }

  async function syncPod(uid: string): Promise<void> {
    const pod = latest.get(uid);
    let w = workers.get(uid);
    if (!pod) {
      if (w) {
        await w.destroy();
        workers.delete(uid);
        forget(w);
      }
      return;
    }
    if (!w) {
      w = new PodWorker(pod, {
        client: config.client,
        recorder,
        logger: log,
        sandboxes: sandboxes!,
        launch,
        hostIP: config.internalIP,
        nodeNetnsPath: config.nodeNetnsPath,
        busyboxPath,
        native,
        // An injected runner (tests) stays for host commands only.
        execRun: config.run || !forks ? undefined : baseRun,
        services: (ns) => [...(factory.informerFor(SERVICES).lister.list(ns) ?? [])],
        configMap: (ns, name) => config.client.resource(CONFIGMAPS).get(ns, name).catch(undefinedIfNotFound),
        secret: (ns, name) => config.client.resource(SECRETS).get(ns, name).catch(undefinedIfNotFound),
        requeue: (ms) => (ms ? queue.addAfter(uid, ms) : queue.add(uid)),
        now: () => new Date(),
        trace: config.trace,
      });
      workers.set(uid, w);
    } else {
      w.pod = pod;
    }
    byName.set(`${pod.metadata?.namespace}/${pod.metadata?.name}`, w);
    await w.sync();
    if (w.done) {
      workers.delete(uid);
      latest.delete(uid);
      forget(w);
    }
  }

  function forget(w: PodWorker): void {
    const key = `${w.pod.metadata?.namespace}/${w.pod.metadata?.name}`;
    if (byName.get(key) === w) byName.delete(key);
  }

  let busyboxPath: string | undefined;
  let native: NativeRuntime | undefined;

  return {
    ready,
    registration,
    async start() {
      try {
        await mkdir(config.dataDir, { recursive: true });
        await logServer.listen(config.internalIP, config.kubeletPort ?? 10250);
        await registration.start();
        const host = readiness();
        if (!host.ready) {
          log.warn('this host cannot run pods; the node stays NotReady', { problems: host.problems.join('; ') });
          resolveReady();
          return;
        }
        if (config.forkServer !== false) forks = new ForkServer(config.dataDir);
        busyboxPath = await busyboxDir(config.dataDir);
        if (!busyboxPath) log.warn('busybox not found: busybox and alpine images get the host tools instead of its applets; install it with apt-get install busybox');
        const bb = findOnPath('busybox', process.env.PATH ?? '');
        if (bb && config.builtinServers !== 'node') {
          native = { busybox: bb, docRoot: join(config.dataDir, 'www') };
          await ensureDocRoots(native.docRoot);
        }
        sandboxes = await SandboxManager.create({
          run,
          logger: log,
          dataDir: config.dataDir,
          podCIDR: registration.podCIDR(),
          netnsPrefix: config.netnsPrefix ?? `ksvc-${config.nodeName}-`,
          clusterDNS: { nameservers: config.clusterDNS ?? ['10.96.0.10'], clusterDomain: config.clusterDomain ?? 'cluster.local' },
          hostResolvConf: readText('/etc/resolv.conf'),
          nodeHostname: config.nodeName,
          hostHostsFile: readText('/etc/hosts'),
          serviceCIDRs: config.serviceCIDRs,
        });
        pods = factory.informerFor(PODS, { fieldSelector: `spec.nodeName=${config.nodeName}` });
        factory.informerFor(SERVICES);
        const onPod = (p: Pod) => {
          const uid = p.metadata?.uid;
          // Mirror pods are run by kubesvc itself, not by the agent (as the kubelet's static pods).
          if (!uid || isMirrorPod(p)) return;
          if (config.trace && !latest.has(uid) && !workers.has(uid)) config.trace(uid, 'seen');
          latest.set(uid, p);
          queue.add(uid);
        };
        pods.addEventHandler({
          onAdd: onPod,
          onUpdate: (_o, p) => onPod(p),
          onDelete: (x) => {
            const uid = deletedObject(x).metadata?.uid;
            if (!uid) return;
            latest.delete(uid);
            queue.add(uid);
          },
        });
        factory.start();
        await factory.waitForCacheSync();
        // Start-up cleanup: sandboxes (and their processes) of pods that are gone.
        const keep = new Set(pods.lister.list().map((p) => p.metadata?.uid ?? ''));
        for (const uid of await sandboxes.known()) if (!keep.has(uid)) await killRecorded(uid);
        await sandboxes.removeStale(keep);
        workersDone = runWorkers(queue, config.workers ?? 32, sync, { logger: log });
        // Every 500 ms: timestamp checkpoints for grown logs; every 10 s: rotation.
        let ticks = 0;
        const logTick = () => {
          rotateTimer = setTimeout(() => {
            const ws = [...workers.values()];
            const rotate = ++ticks % 20 === 0;
            void Promise.all(
              ws.map(async (w) => {
                await indexer.tick(w.liveLogFiles(), Date.now());
                if (rotate) await w.rotateLogs(config.logMaxBytes ?? 10 * 1024 * 1024, indexer);
              }),
            )
              .catch((e: unknown) => log.debug('log upkeep failed', { err: e }))
              .finally(logTick);
          }, 500);
          rotateTimer.unref();
        };
        logTick();
        log.info('node agent is running pods', { podCIDR: registration.podCIDR(), bridge: 'kubesvc0' });
        resolveReady();
      } catch (e) {
        rejectReady(e);
        throw e;
      }
    },
    async stop() {
      registration.stop();
      clearTimeout(rotateTimer);
      await logServer.close();
      queue.shutDown();
      factory.stop();
      for (const w of workers.values()) w.stopTimers();
      await workersDone;
      // Containers it started keep reporting their exits (their waiters outlive the read loop).
      forks?.close();
    },
    async stopPods() {
      // Cleanup after stop() still forks from the small shell rather than from this process.
      if (forks && !forks.alive) {
        forks.dispose();
        forks = new ForkServer(config.dataDir);
      }
      await Promise.all([...workers.values()].map((w) => w.destroy().catch((e: unknown) => log.warn('cannot stop pod', { uid: w.uid, err: e }))));
      workers.clear();
      if (sandboxes) {
        for (const uid of await sandboxes.known()) await killRecorded(uid);
        await sandboxes.removeStale(new Set());
        await sandboxes.removeBridge();
      }
      forks?.dispose();
    },
  };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

