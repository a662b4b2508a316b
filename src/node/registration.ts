// Node registration and heartbeats, as the kubelet does them: register the Node (or adopt the one
// a previous run left, keeping its podCIDR), post its status when something changed and at least
// every 40 s, and renew a Lease in kube-node-lease every 10 s (the node-lifecycle heartbeat).
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, isConflict, isNotFound, LEASES, NODES, realClock, type Client, type Clock, type TimerHandle } from '../client/index.js';
import type { Logger } from '../util/log.js';
import type { HostReadiness } from './host-check.js';
import type { NodeFacts } from './node-facts.js';
import { pickPodCIDR } from './pod-cidr.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** Kubelet and proxy version we report (the API server reports v1.32). */
export const KUBELET_VERSION = 'v1.32.0';

export interface NodeRegistrationConfig {
  client: Client;
  logger: Logger;
  nodeName: string;
  internalIP: string;
  /** A fixed pod CIDR; otherwise a free /24 of clusterCIDR is picked at registration. */
  podCIDR?: string;
  clusterCIDR?: string;
  facts: NodeFacts;
  /** Re-evaluated at every status update: drives the Ready condition. */
  readiness: () => HostReadiness;
  /** Port of the agent's own HTTP endpoint (logs, exec): status.daemonEndpoints.kubeletEndpoint. */
  kubeletPort?: number | (() => number);
  maxPods?: number;
  clock?: Clock;
  /** Wall time for timestamps (the Clock only measures intervals). */
  now?: () => Date;
  leaseDurationSeconds?: number;
  leaseRenewIntervalMs?: number;
  statusCheckIntervalMs?: number;
  statusReportIntervalMs?: number;
}

export interface NodeRegistration {
  start(): Promise<void>;
  stop(): void;
  /** Resolves once the Node, its first status and its Lease are written. */
  readonly ready: Promise<void>;
  /** The pod CIDR the Node holds (after `ready`). */
  podCIDR(): string;
  /** Post the status now (e.g. after a readiness change). */
  syncStatus(): Promise<void>;
}

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
/** metav1.MicroTime wire format: six fractional digits. */
const microTime = (d: Date) => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export function nodeLabels(name: string, facts: NodeFacts): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': facts.architecture,
    'beta.kubernetes.io/os': facts.operatingSystem,
    'kubernetes.io/arch': facts.architecture,
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': facts.operatingSystem,
    'node-role.kubernetes.io/control-plane': '',
  };
}

/** The kubelet's four conditions; transition times carried over from `old` when the status is unchanged. */
export function nodeConditions(readiness: HostReadiness, now: Date, old: readonly NodeCondition[] = []): NodeCondition[] {
  const t = rfc3339(now);
  const want: Array<Omit<NodeCondition, 'lastHeartbeatTime' | 'lastTransitionTime'>> = [
    { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    readiness.ready
      ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }
      : { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: readiness.problems.join('; ') },
  ];
  return want.map((c) => {
    const prev = old.find((o) => o.type === c.type);
    return { ...c, lastHeartbeatTime: t, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : t };
  });
}

export function nodeStatus(cfg: NodeRegistrationConfig, now: Date, old?: NodeStatus): NodeStatus {
  const f = cfg.facts;
  const resources = {
    cpu: String(f.cpus),
    'ephemeral-storage': `${Math.floor(f.ephemeralStorageBytes / 1024)}Ki`,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: `${Math.floor(f.memoryBytes / 1024)}Ki`,
    pods: String(cfg.maxPods ?? 110),
  };
  return {
    addresses: [
      { type: 'InternalIP', address: cfg.internalIP },
      { type: 'Hostname', address: cfg.nodeName },
    ],
    // The kubelet subtracts its eviction threshold (memory.available<100Mi) from allocatable.
    allocatable: { ...resources, memory: `${Math.max(0, Math.floor(f.memoryBytes / 1024) - 100 * 1024)}Ki` },
    capacity: resources,
    conditions: nodeConditions(cfg.readiness(), now, old?.conditions),
    daemonEndpoints: { kubeletEndpoint: { Port: (typeof cfg.kubeletPort === 'function' ? cfg.kubeletPort() : cfg.kubeletPort) ?? 0 } },
    nodeInfo: {
      architecture: f.architecture,
      bootID: f.bootID,
      containerRuntimeVersion: 'kubesvc://0.1.0',
      kernelVersion: f.kernelVersion,
      kubeProxyVersion: KUBELET_VERSION,
      kubeletVersion: KUBELET_VERSION,
      machineID: f.machineID,
      operatingSystem: f.operatingSystem,
      osImage: f.osImage,
      systemUUID: f.systemUUID,
    },
  };
}

/** True when two statuses differ in anything but heartbeat times. */
function statusChanged(a: NodeStatus | undefined, b: NodeStatus): boolean {
  const strip = (s: NodeStatus | undefined) => JSON.stringify({ ...s, conditions: s?.conditions?.map((c) => ({ ...c, lastHeartbeatTime: undefined })) });
  return strip(a) !== strip(b);
}

export function createNodeRegistration(config: NodeRegistrationConfig): NodeRegistration {
  if (!config.nodeName) throw new Error('node registration needs a node name');
  // Explicit `??`: an option passed as undefined must still get its default.
  const cfg = {
    ...config,
    clusterCIDR: config.clusterCIDR ?? '10.244.0.0/16',
    clock: config.clock ?? realClock,
    now: config.now ?? (() => new Date()),
    leaseDurationSeconds: config.leaseDurationSeconds ?? 40,
    leaseRenewIntervalMs: config.leaseRenewIntervalMs ?? 10_000,
    statusCheckIntervalMs: config.statusCheckIntervalMs ?? 10_000,
    statusReportIntervalMs: config.statusReportIntervalMs ?? 40_000,
  };
  const log = cfg.logger.with({ node: cfg.nodeName });
  const nodes = cfg.client.resource(NODES);
  const leases = cfg.client.resource(LEASES);
  let node: Node | undefined;
  let lease: Lease | undefined;
  let lastPosted: NodeStatus | undefined;
  let lastPostAt = -Infinity;
  let stopped = false;
  const timers = new Set<TimerHandle>();
  let resolveReady!: () => void;
  let rejectReady!: (e: unknown) => void;
  const ready = new Promise<void>((res, rej) => ((resolveReady = res), (rejectReady = rej)));
  ready.catch(() => {});

  const every = (ms: number, fn: () => Promise<void>, what: string) => {
    const tick = () => {
      if (stopped) return;
      const h = cfg.clock.setTimeout(() => {
        timers.delete(h);
        fn()
          .catch((e: unknown) => log.warn(`${what} failed; retrying`, { err: e }))
          .finally(tick);
      }, ms);
      timers.add(h);
    };
    tick();
  };

  async function register(): Promise<Node> {
    let existing: Node | undefined;
    try {
      existing = await nodes.get(undefined, cfg.nodeName);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    if (existing) {
      // A previous run registered us: keep its podCIDR (pods may hold addresses in it); refresh labels.
      const labels = { ...existing.metadata?.labels, ...nodeLabels(cfg.nodeName, cfg.facts) };
      if (JSON.stringify(labels) !== JSON.stringify(existing.metadata?.labels)) {
        existing = await nodes.patch(undefined, cfg.nodeName, 'application/merge-patch+json', { metadata: { labels } });
      }
      return existing;
    }
    let podCIDR = cfg.podCIDR;
    if (!podCIDR) {
      const { items } = await nodes.listAll();
      podCIDR = pickPodCIDR(cfg.clusterCIDR, items.flatMap((n) => n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : [])));
    }
    try {
      const created = await nodes.create(undefined, {
        metadata: { name: cfg.nodeName, labels: nodeLabels(cfg.nodeName, cfg.facts), annotations: { 'node.alpha.kubernetes.io/ttl': '0' } },
        spec: { podCIDR, podCIDRs: [podCIDR] },
      });
      log.info('registered node', { podCIDR });
      return created;
    } catch (e) {
      if (isAlreadyExists(e)) return register();
      throw e;
    }
  }

  async function syncStatus(force = false): Promise<void> {
    if (!node) return;
    const status = nodeStatus(cfg, cfg.now(), lastPosted ?? node.status);
    const due = cfg.clock.now() - lastPostAt >= cfg.statusReportIntervalMs;
    if (!force && !due && !statusChanged(lastPosted, status)) return;
    const wasReady = lastPosted?.conditions?.find((c) => c.type === 'Ready')?.status;
    const isReady = status.conditions?.find((c) => c.type === 'Ready')?.status;
    node = await nodes.patch(undefined, cfg.nodeName, 'application/merge-patch+json', { status }, { subresource: 'status' });
    lastPosted = status;
    lastPostAt = cfg.clock.now();
    if (wasReady !== isReady) {
      const ready = status.conditions?.find((c) => c.type === 'Ready');
      (isReady === 'True' ? log.info : log.warn)(isReady === 'True' ? 'node is Ready' : 'node is NotReady', { reason: ready?.reason, message: ready?.message });
    }
  }

  async function renewLease(): Promise<void> {
    if (!node) return;
    const spec = { holderIdentity: cfg.nodeName, leaseDurationSeconds: cfg.leaseDurationSeconds, renewTime: microTime(cfg.now()) };
    if (lease) {
      try {
        lease = await leases.update(NODE_LEASE_NAMESPACE, { ...lease, spec: { ...lease.spec, ...spec } });
        return;
      } catch (e) {
        if (!isConflict(e) && !isNotFound(e)) throw e;
        lease = undefined; // somebody else wrote it: re-read below
      }
    }
    try {
      const live = await leases.get(NODE_LEASE_NAMESPACE, cfg.nodeName);
      lease = await leases.update(NODE_LEASE_NAMESPACE, { ...live, spec: { ...live.spec, ...spec } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      lease = await leases.create(NODE_LEASE_NAMESPACE, {
        metadata: {
          name: cfg.nodeName,
          namespace: NODE_LEASE_NAMESPACE,
          // Owned by the Node: deleting the Node deletes its lease (garbage collector).
          ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: cfg.nodeName, uid: node.metadata?.uid ?? '' }],
        },
        spec,
      });
    }
  }

  return {
    ready,
    podCIDR: () => node?.spec?.podCIDR ?? '',
    syncStatus: () => syncStatus(true),
    async start() {
      try {
        node = await register();
        await syncStatus(true);
        await renewLease();
        resolveReady();
      } catch (e) {
        rejectReady(e);
        throw e;
      }
      every(cfg.statusCheckIntervalMs, () => syncStatus(false), 'node status update');
      every(cfg.leaseRenewIntervalMs, renewLease, 'node lease renewal');
    },
    stop() {
      stopped = true;
      for (const h of timers) cfg.clock.clearTimeout(h);
      timers.clear();
    },
  };
}
