// Usage texts printed by `kubesvc help` and after usage errors.
import { UP_DEFAULTS } from './up-config.js';

export const MAIN_USAGE = `kubesvc: Kubernetes Services implemented for real

Usage:
  kubesvc up [flags]     start a single-node cluster (API server on a durable store)
  kubesvc exec [--data-dir DIR] -- COMMAND [ARGS...]
                         run a command (kubectl, curl, dig) inside an isolated cluster's network namespace
  kubesvc version        print the kubesvc version and the Kubernetes API version it serves
  kubesvc help [command] show this help, or a command's flags

Run "kubesvc help up" for the flags of "up".
`;

export const UP_USAGE = `Usage: kubesvc up [flags]

Starts the API server on the store in <data-dir>/store, then writes <data-dir>/kubeconfig for
kubectl. Stops cleanly on SIGINT (Ctrl-C) or SIGTERM; restarting on the same data dir keeps every
object, resourceVersion and allocation.

Flags:
  --data-dir DIR                     state directory (default ${UP_DEFAULTS.dataDir})
  --listen ADDR:PORT                 API server address (default ${UP_DEFAULTS.listen}; port 0 picks a free one)
  --service-cidr CIDR                ClusterIP range (default ${UP_DEFAULTS.serviceCIDR})
  --service-node-port-range MIN-MAX  NodePort range (default ${UP_DEFAULTS.nodePortRange})
  --store embedded|memory|etcd       where objects are kept (default ${UP_DEFAULTS.store}; memory forgets on exit)
  --etcd-endpoints URL[,URL...]      etcd v3 endpoints (with --store etcd)
  --etcd-compaction-interval DUR     how often old history is compacted (default ${UP_DEFAULTS.compactionInterval}; 0 = never)
  --controllers LIST                 controllers to run: * (default), names, -name to switch one off, "" for none
  --load-balancer-cidr CIDR[,...]    where LoadBalancer Services get their EXTERNAL-IP (default ${UP_DEFAULTS.loadBalancerCIDR})
  --isolated                         run the whole cluster, node agent and pods included, in a network namespace
                                     of its own with no route out (root); use it through kubesvc exec
  --node-agent                       run the node agent (pods) in this host's network namespace (root; it adds
                                     the bridge kubesvc0 and turns IP forwarding on)
  --node-name NAME                   the Node's name (default: the host name)
  --pod-cidr CIDR                    the node's pod range (default: the first free /24 of 10.244.0.0/16)
  --node-ip ADDR                     the Node's InternalIP, where cluster DNS listens on port 53 for pods (default:
                                     the --listen host unless loopback, else the pod bridge's gateway, e.g. 10.244.0.1)
  --cluster-domain NAME              the cluster DNS zone (default cluster.local)
  --dns-listen ADDR:PORT             host-facing cluster DNS address, UDP and TCP (default 127.0.0.1:0, a free port)
  --dns-upstream ADDR[:PORT][,...]   resolvers for names outside the zone (default: /etc/resolv.conf's; "" for none)
  --proxy-mode MODE                  service proxy: nftables, iptables, userspace or none (default none;
                                     nftables with the node agent, which owns the node network)
  --proxy-netns NAME                 program the proxy's rules inside this network namespace (ip netns)
  --log-level debug|info|warn|error  (default ${UP_DEFAULTS.logLevel})
  --config FILE                      YAML settings: dataDir, listen, serviceCIDR, serviceNodePortRange,
                                     store, etcdEndpoints, etcdCompactionInterval, controllers, loadBalancerCIDR, clusterDomain,
                                     dnsListen, dnsUpstream, nodeIP, proxyMode, proxyNetns, logLevel (flags win)
  -h, --help                         show this help
`;
