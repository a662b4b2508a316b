// What `kubesvc up` runs: the DNS server on the host-facing address, then (once its caches have
// synced) the kube-dns Service and, when the node is known, the mirror pod. One call, one
// readiness promise and one stop, so the CLI's wiring stays a few lines (habit 7).
import type { Client } from '../client/index.js';
import type { Logger } from '../util/log.js';
import { createDns, type Dns } from './index.js';
import type { Listen, PodMode, Upstream } from './config.js';
import { kubeDnsClusterIP, kubeDnsMirrorSpec, kubeDnsService } from './presence.js';
import { SERVICES, isAlreadyExists } from '../client/index.js';
import { keepMirrorPods, type MirrorPodKeeper } from '../node/mirror-pod.js';

export interface ClusterDnsOptions {
  client: Client;
  logger: Logger;
  clusterDomain: string;
  listen: Listen[];
  upstreams: Upstream[];
  serviceCIDR: string;
  podMode?: PodMode;
  /** The node the mirror pod stands on; without it only the Service is created. */
  node?: { name: string; ip: string };
}

export interface RunningDns {
  dns: Dns;
  ready: Promise<void>;
  stop(): Promise<void>;
}

export function startClusterDns(o: ClusterDnsOptions): RunningDns {
  const log = o.logger;
  const clusterIP = kubeDnsClusterIP(o.serviceCIDR);
  const dns = createDns({
    client: o.client,
    logger: log,
    clusterDomain: o.clusterDomain,
    listen: o.listen,
    upstreams: o.upstreams,
    podMode: o.podMode,
    nsAddresses: [clusterIP],
  });
  let keeper: MirrorPodKeeper | undefined;
  const ready = (async () => {
    await dns.start();
    try {
      await o.client.resource(SERVICES).create('kube-system', kubeDnsService(clusterIP));
      log.info('created kube-dns service', { clusterIP });
    } catch (e) {
      // Someone else's kube-dns (or an IP already taken) must not stop the server answering.
      if (!isAlreadyExists(e)) log.error('cannot create the kube-dns service', { clusterIP, err: e });
    }
    if (o.node) {
      // The mirror pod gives the Service its endpoint (the node address); put back if deleted.
      keeper = keepMirrorPods({ client: o.client, logger: log, nodeName: o.node.name, nodeIP: o.node.ip }, [kubeDnsMirrorSpec(o.node.name)]);
      await keeper.ready;
    }
  })();
  ready.catch(() => {});
  return {
    dns,
    ready,
    stop: async () => {
      keeper?.stop();
      await dns.stop();
    },
  };
}
