// The node-agent part of `kubesvc up`'s translation step: --isolated, --node-agent, --node-name,
// --pod-cidr (strings in, NodeUpConfig out; UsageErrors name the flag). Kept apart so
// up-config.ts only calls it.
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { parseCidr } from '../node/pod-cidr.js';
import { UsageError } from './usage-error.js';

export interface NodeUpConfig {
  /** Run the node agent (pods). It changes the network of the namespace it runs in, so it is opt-in. */
  agent: boolean;
  /** The whole cluster in a network namespace of its own (implies agent). */
  isolated: boolean;
  name: string;
  /** undefined = the first free /24 of 10.244.0.0/16. */
  podCIDR?: string;
  /** --node-ip: the Node's InternalIP; undefined = the --listen host if not loopback, else the pod bridge's gateway. */
  nodeIP?: string;
}

export interface NodeFlags {
  isolated?: string;
  'node-agent'?: string;
  'node-name'?: string;
  'pod-cidr'?: string;
  'node-ip'?: string;
}

export const NODE_STRING_FLAGS = ['node-name', 'pod-cidr', 'node-ip'] as const;
export const NODE_BOOLEAN_FLAGS = ['isolated', 'node-agent'] as const;

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function bool(flag: string, v: string | undefined): boolean {
  if (v === undefined || v === 'false') return false;
  if (v === 'true') return true;
  throw new UsageError(`invalid --${flag} "${v}": want true or false`);
}

export function nodeConfigFromFlags(flags: NodeFlags, defaultName: string = hostname().toLowerCase()): NodeUpConfig {
  const isolated = bool('isolated', flags.isolated);
  const name = flags['node-name'] ?? defaultName;
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    throw new UsageError(`invalid --node-name "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`);
  }
  let podCIDR: string | undefined;
  if (flags['pod-cidr'] !== undefined) {
    try {
      const c = parseCidr(flags['pod-cidr']);
      if (c.bits < 16 || c.bits > 28) throw new Error('size');
      podCIDR = `${flags['pod-cidr'].split('/')[0]}/${c.bits}`;
      if (podCIDR.split('/')[0].split('.').map(Number).reduce((a, o) => a * 256 + o, 0) !== c.base) throw new Error('host bits');
    } catch {
      throw new UsageError(`invalid --pod-cidr "${flags['pod-cidr']}": want an IPv4 network from /16 to /28 with no host bits set, e.g. 10.244.0.0/24`);
    }
  }
  const nodeIP = flags['node-ip'] === '' ? undefined : flags['node-ip'];
  if (nodeIP !== undefined && (!isIP(nodeIP) || nodeIP.startsWith('127.') || nodeIP === '::1' || nodeIP === '0.0.0.0' || nodeIP === '::')) {
    throw new UsageError(`invalid --node-ip "${nodeIP}": want an IP address of the node that pods can reach (not loopback or unspecified)`);
  }
  return { agent: isolated || bool('node-agent', flags['node-agent']), isolated, name, podCIDR, ...(nodeIP !== undefined ? { nodeIP } : {}) };
}
