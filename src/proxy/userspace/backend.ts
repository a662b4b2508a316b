// The userspace backend (--proxy-mode userspace), for hosts without nftables or iptables: the proxy
// process itself carries the traffic. Every ClusterIP becomes a local address (LoopbackAddresses);
// a TCP or UDP listener on ClusterIP:port, on each NodePort and on external/LB IPs that are local
// hands each connection or UDP session to an endpoint the port's Balancer picks.
//
// A Service port without usable endpoints has no listener: the address is local but nothing
// listens, so the kernel answers a SYN with a reset and a datagram with ICMP port unreachable —
// the client sees "connection refused" at once, as with the nftables reject.
import type { Logger } from '../../util/log.js';
import type { Backend, SyncStats } from '../backend.js';
import type { Exec } from '../exec.js';
import { hasExternal, localEndpoints, usableEndpoints, type NodeFacts, type ServicePortState } from '../model.js';
import { LoopbackAddresses } from './addresses.js';
import { Balancer, type Target } from './balancer.js';
import { TcpListener } from './tcp.js';
import { UdpListener } from './udp.js';

export interface UserspaceOptions {
  exec: Exec;
  /** The ip command (default ["ip"]); must act on the network namespace this process is in. */
  ipCommand: readonly string[];
  /** Idle time after which a UDP session ends (kube-proxy userspace --udp-timeout: 250 ms). */
  udpIdleMs: number;
  logger: Logger;
}

type Listener = TcpListener | UdpListener;

interface Entry {
  readonly listener: Listener;
  readonly balancer: Balancer;
}

const targets = (eps: readonly { ip: string; port: number }[]): Target[] => eps.map((e) => ({ ip: e.ip, port: e.port }));

export function userspaceBackend(o: UserspaceOptions): Backend {
  const log = o.logger.with({ backend: 'userspace' });
  const addresses = new LoopbackAddresses(o.exec, o.ipCommand);
  const listeners = new Map<string, Entry>();
  // Balancers per Service port and entry kind, kept across syncs (they hold the affinity table).
  const balancers = new Map<string, Balancer>();
  // Addresses that could not be bound (external IPs not local to this node): not retried every sync.
  const unbindable = new Set<string>();
  const warnedSctp = new Set<string>();
  let first = true;

  const balancerFor = (id: string, eps: Target[], affinity: number | undefined): Balancer => {
    let b = balancers.get(id);
    if (!b) balancers.set(id, (b = new Balancer()));
    b.update(eps, affinity);
    return b;
  };

  async function open(lkey: string, proto: 'TCP' | 'UDP', host: string, port: number, b: Balancer): Promise<void> {
    const cur = listeners.get(lkey);
    if (cur && cur.balancer === b) return;
    if (cur) await cur.listener.close();
    const l = proto === 'TCP' ? new TcpListener(host, port, b, log) : new UdpListener(host, port, b, o.udpIdleMs, log);
    try {
      await l.listen();
      listeners.set(lkey, { listener: l, balancer: b });
      unbindable.delete(lkey);
    } catch (e) {
      listeners.delete(lkey);
      if (!unbindable.has(lkey)) log.warn('cannot listen', { addr: `${proto} ${host}:${port}`, err: e });
      unbindable.add(lkey);
    }
  }

  return {
    name: 'userspace',
    async sync(state: readonly ServicePortState[], facts: NodeFacts, full: boolean): Promise<SyncStats> {
      const want = new Map<string, { proto: 'TCP' | 'UDP'; host: string; port: number; balancer: Balancer }>();
      const clusterIPs = new Set<string>();
      const usedBalancers = new Set<string>();
      for (const st of state) {
        const { svc } = st;
        for (const ip of svc.clusterIPs) clusterIPs.add(ip);
        if (svc.protocol === 'SCTP') {
          if (!warnedSctp.has(svc.id)) log.warn('SCTP is not carried by the userspace proxy', { service: svc.id });
          warnedSctp.add(svc.id);
          continue;
        }
        const proto = svc.protocol;
        const all = usableEndpoints(st.endpoints);
        const local = localEndpoints(st.endpoints, facts.nodeName);
        const affinity = svc.affinityTimeoutSeconds;
        const internalEps = targets(svc.internalTrafficLocal ? local : all);
        const internalId = `${svc.id}/${proto}/internal`;
        usedBalancers.add(internalId);
        const internal = balancerFor(internalId, internalEps, affinity);
        const put = (host: string, port: number, b: Balancer) => {
          // No endpoint: no listener, so the kernel refuses (see the top of this file).
          if (b.size > 0) want.set(`${proto}/${host}:${port}`, { proto, host, port, balancer: b });
        };
        for (const ip of svc.clusterIPs) put(ip, svc.port, internal);
        if (!hasExternal(svc)) continue;
        const externalId = `${svc.id}/${proto}/external`;
        usedBalancers.add(externalId);
        const external = balancerFor(externalId, targets(svc.externalTrafficLocal ? local : all), affinity);
        for (const ip of [...svc.externalIPs, ...svc.loadBalancerIPs]) put(ip, svc.port, external);
        if (svc.nodePort !== undefined) {
          if (facts.nodePortAddresses.length === 0) put('0.0.0.0', svc.nodePort, external);
          else for (const a of facts.nodePortAddresses) put(a, svc.nodePort, external);
        }
      }
      for (const id of balancers.keys()) if (!usedBalancers.has(id)) balancers.delete(id);
      // Addresses before listeners (a listener needs its address); listeners of gone ports closed
      // first, so a port moving from one Service to another can be bound again.
      await addresses.sync(clusterIPs, first || full);
      first = false;
      for (const [k, e] of listeners) {
        if (!want.has(k)) {
          listeners.delete(k);
          await e.listener.close();
        }
      }
      for (const [k, w] of want) {
        if (unbindable.has(k) && !full) continue;
        await open(k, w.proto, w.host, w.port, w.balancer);
      }
      for (const { listener } of listeners.values()) if (listener instanceof UdpListener) listener.dropStale();
      return { kind: full ? 'full' : 'partial', chains: listeners.size, rules: 0, elements: clusterIPs.size };
    },
    async cleanup() {
      for (const { listener } of listeners.values()) {
        if (listener instanceof TcpListener) await listener.close(true);
        else await listener.close();
      }
      listeners.clear();
      await addresses.sync(new Set(), true);
    },
  };
}
