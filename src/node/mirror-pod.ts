// Mirror pods: API objects standing for components that run inside kubesvc rather than as pods
// (cluster DNS, the service proxy), as the kubelet mirrors its static pods. The node agent never
// runs them (it skips pods with the mirror annotation); a keeper creates them Running/Ready on the
// node's address, puts them back if someone deletes them, and the agent's log endpoint serves the
// component's log from a file the component's logger tees into.
import { createWriteStream, existsSync, mkdirSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { deletedObject, isAlreadyExists, isNotFound, PODS, SharedInformerFactory, type Client } from '../client/index.js';
import type { Logger, Sink } from '../util/log.js';
import type { LogSource } from './log-server.js';

/** The kubelet marks mirror pods with this annotation (its value is the static pod's hash there). */
export const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

export function isMirrorPod(pod: Pod): boolean {
  return pod.metadata?.annotations?.[MIRROR_ANNOTATION] !== undefined;
}

export interface MirrorPodSpec {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** Its one container (name, image, ports); the component's log is this container's log. */
  container: Container;
  /** Who it stands for (the annotation's value). */
  source: string;
}

export function mirrorPodObject(s: MirrorPodSpec, nodeName: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: s.name,
      namespace: s.namespace,
      labels: { ...s.labels },
      annotations: { [MIRROR_ANNOTATION]: s.source, 'kubernetes.io/config.source': 'kubesvc' },
    },
    spec: {
      nodeName,
      hostNetwork: true,
      dnsPolicy: 'Default',
      priorityClassName: 'system-node-critical',
      containers: [s.container],
    },
  };
}

/** Status of a component that is running: Running, every condition True, the node's address as pod IP. */
export function runningMirrorStatus(pod: Pod, nodeIP: string, at: string): Pod {
  const cond = (type: string) => ({ type, status: 'True', lastTransitionTime: at });
  const c = pod.spec?.containers[0];
  return {
    ...pod,
    status: {
      phase: 'Running',
      conditions: [cond('PodReadyToStartContainers'), cond('Initialized'), cond('Ready'), cond('ContainersReady'), cond('PodScheduled')],
      hostIP: nodeIP,
      hostIPs: [{ ip: nodeIP }],
      podIP: nodeIP,
      podIPs: [{ ip: nodeIP }],
      startTime: at,
      qosClass: 'BestEffort',
      containerStatuses: [
        {
          name: c?.name ?? '',
          ready: true,
          started: true,
          restartCount: 0,
          image: c?.image ?? '',
          imageID: '',
          containerID: `kubesvc://${c?.name ?? ''}`,
          state: { running: { startedAt: at } },
        },
      ],
    },
  };
}

export interface MirrorPodOptions {
  client: Client;
  logger: Logger;
  nodeName: string;
  nodeIP: string;
  now?: () => Date;
}

function stamp(now?: () => Date): string {
  return (now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Creates the mirror pod (or adopts it) and makes its status Running/Ready on the node's address. */
export async function ensureMirrorPod(o: MirrorPodOptions, s: MirrorPodSpec): Promise<Pod> {
  const pods = o.client.resource(PODS);
  const want = mirrorPodObject(s, o.nodeName);
  let pod: Pod;
  try {
    pod = await pods.create(s.namespace, want);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
    pod = await pods.get(s.namespace, s.name);
  }
  const st = pod.status;
  if (st?.phase !== 'Running' || st.podIP !== o.nodeIP || !st.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) {
    try {
      pod = await pods.updateStatus(s.namespace, runningMirrorStatus(pod, o.nodeIP, stamp(o.now)));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return pod;
}

export interface MirrorPodKeeper {
  /** Resolves once every mirror pod exists and is Running. */
  ready: Promise<void>;
  stop(): void;
}

/**
 * Keeps the mirror pods there: created at start and re-created when deleted, as the kubelet
 * re-creates a deleted mirror pod. A failed attempt is retried after `retryMs` (default 1 s).
 */
export function keepMirrorPods(o: MirrorPodOptions & { retryMs?: number }, specs: MirrorPodSpec[]): MirrorPodKeeper {
  const log = o.logger;
  const factories = new Map<string, SharedInformerFactory>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const ensure = async (s: MirrorPodSpec): Promise<void> => {
    while (!stopped) {
      try {
        await ensureMirrorPod(o, s);
        return;
      } catch (e) {
        log.warn('cannot create the mirror pod; retrying', { pod: `${s.namespace}/${s.name}`, err: e });
        await new Promise<void>((r) => {
          const t = setTimeout(() => (timers.delete(t), r()), o.retryMs ?? 1000);
          timers.add(t);
        });
      }
    }
  };
  const byKey = new Map(specs.map((s) => [`${s.namespace}/${s.name}`, s]));
  for (const ns of new Set(specs.map((s) => s.namespace))) {
    const factory = new SharedInformerFactory(o.client, { namespace: ns, logger: log });
    factories.set(ns, factory);
    factory.informerFor(PODS, { fieldSelector: `spec.nodeName=${o.nodeName}` }).addEventHandler({
      // A graceful delete only marks the pod; no agent runs it to finish the job, so (as the
      // kubelet does with a terminating mirror pod) remove it at once; the delete event re-creates it.
      onUpdate: (_old, p) => {
        const s = byKey.get(`${p.metadata?.namespace}/${p.metadata?.name}`);
        if (!s || stopped || !p.metadata?.deletionTimestamp) return;
        o.client
          .resource(PODS)
          .delete(s.namespace, s.name, { gracePeriodSeconds: 0, preconditions: { uid: p.metadata.uid } })
          .catch((e: unknown) => {
            if (!isNotFound(e)) log.warn('cannot remove the terminating mirror pod', { pod: `${s.namespace}/${s.name}`, err: e });
          });
      },
      onDelete: (x) => {
        const p = deletedObject(x);
        const s = byKey.get(`${p.metadata?.namespace}/${p.metadata?.name}`);
        if (!s || stopped) return;
        log.info('mirror pod deleted; re-creating it', { pod: `${s.namespace}/${s.name}` });
        void ensure(s);
      },
    });
  }
  const ready = (async () => {
    await Promise.all(specs.map(ensure));
    for (const f of factories.values()) f.start();
    await Promise.all([...factories.values()].map((f) => f.waitForCacheSync()));
    // A delete between our create and the informer's list is not an event: check once more.
    await Promise.all(specs.map(ensure));
  })();
  ready.catch(() => {});
  return {
    ready,
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      for (const f of factories.values()) f.stop();
    },
  };
}

/** Where a mirror pod's container log lives under the node agent's data dir. */
export function mirrorLogFile(nodeDataDir: string, namespace: string, pod: string, container: string): string {
  return join(nodeDataDir, 'mirror-logs', `${namespace}_${pod}`, `${container}.log`);
}

/** The log of a mirror pod's container, if its component writes one here. */
export function mirrorLogSource(nodeDataDir: string, namespace: string, pod: string, container: string): LogSource | undefined {
  const f = mirrorLogFile(nodeDataDir, namespace, pod, container);
  return existsSync(f) ? { files: [f], live: () => true } : undefined;
}

/** A log sink appending each line to the mirror pod's log file; `close` flushes it. */
export function mirrorLogSink(file: string): { sink: Sink; close(): Promise<void> } {
  mkdirSync(dirname(file), { recursive: true });
  const out: WriteStream = createWriteStream(file, { flags: 'a' });
  out.on('error', () => {}); // a full disk must not take the component down with it
  return {
    sink: (line) => void out.write(line + '\n'),
    close: () => new Promise((r) => out.end(() => r())),
  };
}
