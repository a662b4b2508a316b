// `kubesvc up --config FILE`: the same settings as the flags, in YAML (or JSON), camelCased as in
// Kubernetes component configs. It only turns the file into flag strings; the one translation step
// (upConfigFromFlags) does all checking, so a value means the same in a file and on the command line.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { UpFlags } from './up-config.js';
import { UsageError } from './usage-error.js';

/** File field → flag. */
const FIELDS: Record<string, keyof UpFlags> = {
  dataDir: 'data-dir',
  listen: 'listen',
  serviceCIDR: 'service-cidr',
  serviceNodePortRange: 'service-node-port-range',
  store: 'store',
  etcdEndpoints: 'etcd-endpoints',
  etcdCompactionInterval: 'etcd-compaction-interval',
  logLevel: 'log-level',
  controllers: 'controllers',
  loadBalancerCIDR: 'load-balancer-cidr',
  proxyMode: 'proxy-mode',
  proxyNetns: 'proxy-netns',
  clusterDomain: 'cluster-domain',
  dnsListen: 'dns-listen',
  dnsUpstream: 'dns-upstream',
  nodeIP: 'node-ip',
};

export function upFlagsFromFile(path: string): UpFlags {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read --config ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return upFlagsFromText(text, path);
}

export function upFlagsFromText(text: string, path: string): UpFlags {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new UsageError(`invalid --config ${path}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`invalid --config ${path}: want a mapping of settings`);
  const flags: UpFlags = {};
  for (const [key, value] of Object.entries(doc)) {
    const flag = FIELDS[key];
    if (!flag) throw new UsageError(`invalid --config ${path}: unknown field "${key}" (known: ${Object.keys(FIELDS).join(', ')})`);
    if ((key === 'etcdEndpoints' || key === 'controllers' || key === 'dnsUpstream' || key === 'loadBalancerCIDR') && Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      flags[flag] = value.join(',');
    } else if (typeof value === 'string' || (typeof value === 'number' && key === 'etcdCompactionInterval' && value === 0)) {
      flags[flag] = String(value);
    } else {
      throw new UsageError(`invalid --config ${path}: "${key}" must be a string`);
    }
  }
  return flags;
}
