// The node's address when `kubesvc up` runs the node agent: the Node's InternalIP, where the
// cluster DNS listens on port 53 for the kube-dns Service, the mirror pods' IP and the agent's log
// endpoint. It must be reachable from pods and from the node itself, so loopback will not do. In
// order of preference: --node-ip; the --listen host when it is not loopback or a wildcard; else the
// pod bridge's gateway (the first address of the node's pod CIDR on kubesvc0), which every pod
// routes through. The bridge is created here with that address, before DNS binds to it and before
// the agent starts pods (the agent's sandbox manager later finds it and keeps it).
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Node } from 'kubernetes-types/core/v1.js';
import { isNotFound, NODES, type Client } from '../client/index.js';
import { CommandError, type Runner } from '../node/exec.js';
import { intToIPv4, parseCidr, pickPodCIDR } from '../node/pod-cidr.js';
import { BRIDGE } from '../node/sandbox.js';

export interface NodeAddressInput {
  client: Client;
  nodeName: string;
  /** --node-ip. */
  nodeIP?: string;
  /** --pod-cidr. */
  podCIDR?: string;
  clusterCIDR?: string;
  /** The API server's --listen host. */
  listenHost: string;
  /** Under --isolated the namespace is ours: a --node-ip no interface has is added to loopback. */
  isolated: boolean;
  run: Runner;
  /** Addresses this namespace has (default: os.networkInterfaces()). */
  localAddresses?: () => string[];
}

export interface NodeAddress {
  ip: string;
  /** The pod CIDR the agent must use (fixed here so the gateway and the agent agree). */
  podCIDR?: string;
  /** How the address was chosen, for the log. */
  source: 'node-ip' | 'listen' | 'bridge';
}

export function isLoopbackOrWildcard(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1' || ip === '0.0.0.0' || ip === '::' || ip === 'localhost';
}

/** The first address of an IPv4 CIDR (10.244.0.0/24 → 10.244.0.1): the bridge's gateway, as ipam.ts. */
export function gatewayOf(cidr: string): string {
  return intToIPv4(parseCidr(cidr).base + 1);
}

function localAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((l) => (l ?? []).map((a) => a.address));
}

/** The pod CIDR the agent will register with: the Node's (a previous run), --pod-cidr, or a free /24. */
async function nodePodCIDR(i: NodeAddressInput): Promise<string> {
  try {
    const existing: Node = await i.client.resource(NODES).get(undefined, i.nodeName);
    const cidr = existing.spec?.podCIDR;
    if (cidr) return cidr;
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  if (i.podCIDR) return i.podCIDR;
  const { items } = await i.client.resource(NODES).listAll();
  return pickPodCIDR(i.clusterCIDR ?? '10.244.0.0/16', items.flatMap((n) => n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : [])));
}

/** The bridge with its gateway address, up (idempotent; the same commands as the sandbox manager's). */
export async function ensureBridgeAddress(run: Runner, ip: string, prefixLength: number): Promise<void> {
  await run('ip', ['link', 'add', BRIDGE, 'type', 'bridge']).catch((e: unknown) => {
    if (!(e instanceof CommandError && /File exists/.test(e.stderr))) throw e;
  });
  await run('ip', ['addr', 'replace', `${ip}/${prefixLength}`, 'dev', BRIDGE]);
  await run('ip', ['link', 'set', BRIDGE, 'up']);
}

export async function resolveNodeAddress(i: NodeAddressInput): Promise<NodeAddress> {
  const have = i.localAddresses ?? localAddresses;
  if (i.nodeIP) {
    if (!have().includes(i.nodeIP)) {
      if (!i.isolated) throw new Error(`--node-ip ${i.nodeIP} is not an address of this host`);
      await i.run('ip', ['addr', 'add', `${i.nodeIP}/${isIP(i.nodeIP) === 6 ? 128 : 32}`, 'dev', 'lo']);
    }
    return { ip: i.nodeIP, podCIDR: i.podCIDR, source: 'node-ip' };
  }
  if (!isLoopbackOrWildcard(i.listenHost)) return { ip: i.listenHost, podCIDR: i.podCIDR, source: 'listen' };
  const podCIDR = await nodePodCIDR(i);
  const ip = gatewayOf(podCIDR);
  await ensureBridgeAddress(i.run, ip, parseCidr(podCIDR).bits);
  return { ip, podCIDR, source: 'bridge' };
}
