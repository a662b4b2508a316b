// A pod's /etc/resolv.conf, /etc/hosts and hostname, as the kubelet writes them
// (pkg/kubelet/network/dns and the kubelet's managed hosts file).
import type { Pod } from 'kubernetes-types/core/v1.js';

export interface ClusterDNS {
  /** Cluster DNS Service IPs (10.96.0.10). */
  nameservers: string[];
  clusterDomain: string;
}

export interface HostResolvConf {
  nameservers: string[];
  searches: string[];
  options: string[];
}

/** The kubelet's limits (validation.MaxDNSNameservers, MaxDNSSearchPaths). */
const MAX_NAMESERVERS = 3;
const MAX_SEARCHES = 32;

export function parseResolvConf(text: string): HostResolvConf {
  const out: HostResolvConf = { nameservers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.nameservers.push(rest[0]);
    else if (key === 'search' || key === 'domain') out.searches = rest; // the last one wins, as in glibc
    else if (key === 'options') out.options.push(...rest);
  }
  return out;
}

const uniq = (xs: string[]) => [...new Set(xs)];

/** Merge options by name: dnsConfig's `ndots:2` replaces the default `ndots:5`. */
function mergeOptions(base: string[], extra: ReadonlyArray<{ name?: string; value?: string }>): string[] {
  const byName = new Map<string, string>();
  for (const o of base) byName.set(o.split(':')[0], o);
  for (const o of extra) if (o.name) byName.set(o.name, o.value !== undefined ? `${o.name}:${o.value}` : o.name);
  return [...byName.values()];
}

export function podResolvConf(pod: Pod, cluster: ClusterDNS, host: HostResolvConf): string {
  const ns = pod.metadata?.namespace ?? 'default';
  let policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  // ClusterFirst on the host network means the host's DNS (kubelet: only ClusterFirstWithHostNet opts in).
  if (policy === 'ClusterFirst' && pod.spec?.hostNetwork) policy = 'Default';
  let conf: HostResolvConf;
  if (policy === 'None') conf = { nameservers: [], searches: [], options: [] };
  else if (policy === 'Default') conf = { ...host, options: [...host.options] };
  else {
    const d = cluster.clusterDomain;
    conf = { nameservers: [...cluster.nameservers], searches: [`${ns}.svc.${d}`, `svc.${d}`, d, ...host.searches], options: ['ndots:5'] };
  }
  const dc = pod.spec?.dnsConfig;
  conf = {
    nameservers: uniq([...conf.nameservers, ...(dc?.nameservers ?? [])]).slice(0, MAX_NAMESERVERS),
    searches: uniq([...conf.searches, ...(dc?.searches ?? [])]).slice(0, MAX_SEARCHES),
    options: mergeOptions(conf.options, dc?.options ?? []),
  };
  const lines: string[] = [];
  if (conf.searches.length) lines.push(`search ${conf.searches.join(' ')}`);
  for (const n of conf.nameservers) lines.push(`nameserver ${n}`);
  if (conf.options.length) lines.push(`options ${conf.options.join(' ')}`);
  return lines.join('\n') + '\n';
}

/** The pod's hostname: spec.hostname, else its name, cut to 63 characters without a trailing - or . */
export function podHostname(pod: Pod): string {
  const name = pod.spec?.hostname || pod.metadata?.name || 'pod';
  return name.length <= 63 ? name : name.slice(0, 63).replace(/[-.]+$/, '');
}

export function podHostsFile(pod: Pod, podIP: string, clusterDomain: string): string {
  const host = podHostname(pod);
  const sub = pod.spec?.subdomain;
  const fqdn = sub ? `${host}.${sub}.${pod.metadata?.namespace ?? 'default'}.svc.${clusterDomain}` : '';
  let text = `# Kubernetes-managed hosts file.
127.0.0.1\tlocalhost
::1\tlocalhost ip6-localhost ip6-loopback
fe00::0\tip6-localnet
fe00::0\tip6-mcastprefix
fe00::1\tip6-allnodes
fe00::2\tip6-allrouters
${podIP}\t${fqdn ? `${fqdn}\t${host}` : host}
`;
  const aliases = pod.spec?.hostAliases ?? [];
  if (aliases.length) {
    text += '\n# Entries added by HostAliases.\n';
    for (const a of aliases) text += `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`;
  }
  return text;
}
