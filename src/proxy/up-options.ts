// What `kubesvc up` needs from the proxy: its flags' meaning (checked here, so the CLI only passes
// strings through) and the ProxyConfig for an in-process proxy. The default mode is "none" until
// the node agent runs: a proxy on by default without it would write rules into the host's own
// ruleset whenever kubesvc runs as root. With the node agent (which owns the node's network
// anyway, e.g. under --isolated) the default is nftables.
import type { Client } from '../client/index.js';
import type { Logger } from '../util/log.js';
import type { ProxyConfig } from './config.js';
import { isIPv4 } from './service-info.js';

export const PROXY_MODES = ['nftables', 'iptables', 'userspace', 'none'] as const;
export type UpProxyMode = (typeof PROXY_MODES)[number];

export interface UpProxyOptions {
  mode: UpProxyMode;
  /** Program the rules inside this network namespace (`ip netns exec NAME ...`); undefined = this one. */
  netns?: string;
  nodeName: string;
}

/** Checks the flag strings; throws an Error whose message is fit for a usage error. */
export function parseUpProxyFlags(flags: { mode?: string; netns?: string; nodeName: string; nodeAgent: boolean }): UpProxyOptions {
  const mode = flags.mode ?? (flags.nodeAgent ? 'nftables' : 'none');
  if (!(PROXY_MODES as readonly string[]).includes(mode)) {
    throw new Error(`invalid --proxy-mode "${mode}" (want ${PROXY_MODES.join(', ')})`);
  }
  const netns = flags.netns === undefined || flags.netns === '' ? undefined : flags.netns;
  // Its sockets live in this process's own network namespace; it cannot proxy for another one.
  if (mode === 'userspace' && netns !== undefined) throw new Error('--proxy-netns cannot be used with --proxy-mode userspace');
  if (netns !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(netns)) throw new Error(`invalid --proxy-netns "${netns}"`);
  return { mode: mode as UpProxyOptions['mode'], netns, nodeName: flags.nodeName };
}

/** The ProxyConfig of the in-process proxy `kubesvc up` runs. */
export function upProxyConfig(opts: UpProxyOptions, client: Client, serviceCIDR: string, logger: Logger): ProxyConfig {
  if (opts.mode === 'none') throw new Error('proxy mode none runs no proxy');
  const prefix = opts.netns ? ['ip', 'netns', 'exec', opts.netns] : [];
  const [net, bits] = serviceCIDR.split('/');
  return {
    client,
    nodeName: opts.nodeName,
    mode: opts.mode,
    // Only an IPv4 service CIDR is programmed (the proxy is IPv4-only for now).
    serviceCIDRs: isIPv4(net) && bits !== undefined ? [serviceCIDR] : [],
    nftCommand: [...prefix, 'nft'],
    conntrackCommand: [...prefix, 'conntrack'],
    ipCommand: [...prefix, 'ip'],
    iptablesCommand: [...prefix, 'iptables'],
    iptablesRestoreCommand: [...prefix, 'iptables-restore'],
    iptablesSaveCommand: [...prefix, 'iptables-save'],
    logger,
  };
}
