// The mirror pod standing for the in-process service proxy, as kube-proxy's pod on a kubeadm node
// (kube-system, k8s-app=kube-proxy, host network). The DNS one lives with the DNS server
// (src/dns/presence.ts); the proxy's folder has no opinion on how it is shown in the cluster.
import type { MirrorPodSpec } from '../node/mirror-pod.js';

export function kubeProxyMirrorSpec(nodeName: string): MirrorPodSpec {
  return {
    namespace: 'kube-system',
    name: `kube-proxy-${nodeName}`,
    labels: { 'k8s-app': 'kube-proxy' },
    source: 'kubesvc-proxy',
    container: { name: 'kube-proxy', image: 'kubesvc/proxy:builtin' },
  };
}
