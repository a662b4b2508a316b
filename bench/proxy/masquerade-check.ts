// Section 3c of the proxy benchmark: the exact proposed `masquerading` chain with the real
// `masquerade` statement, against the current one, each in a node of its own (a fresh BenchNode:
// real masquerade uses the node's bridge address, so the two variants must not share a server
// that still holds the other's TIME_WAIT sockets). The node's own traffic to the ClusterIP comes
// from an address outside the pod CIDR, so our ruleset masquerades it.
import { BenchNode, SERVICE_CIDR } from './netns.js';
import { ourRuleset, type Target } from './rulesets.js';
import { haproxyHttpServerConfig, Nstat, SERVER_COUNTERS, wrk } from './tools.js';

/** The masquerading chain with TCP masqueraded without `fully-random` (the proposal). */
export function proposedMasquerading(script: string): string {
  const rules = script
    .split('\n')
    .filter((l) => l.startsWith('add rule ip kubesvc masquerading '))
    .flatMap((l) => (l.includes(' masquerade fully-random') ? [l.replace(' masquerade fully-random', ' meta l4proto tcp masquerade'), l] : [l]));
  return ['flush chain ip kubesvc masquerading', ...rules].join('\n') + '\n';
}

export interface MasqueradeRun {
  variant: 'current' | 'proposed';
  run: number;
  rps: number;
  synRetrans: number;
  pawsTimewait: number;
}

/** `runs` consecutive wrk runs with `Connection: close` from one node address to the ClusterIP. */
export async function masqueradeRuns(variant: 'current' | 'proposed', dir: string, runs: number, seconds: number, connections: number): Promise<MasqueradeRun[]> {
  const node = new BenchNode();
  try {
    node.create();
    const srv = node.addPod('srv', '10.244.0.11');
    node.start(srv.ns, ['haproxy', '-db', '-f', haproxyHttpServerConfig(dir, `srv-${variant}`, 8080)]);
    const target: Target = { name: 'web', clusterIP: '10.96.0.20', port: 80, targetPort: 8080, endpoints: [srv.ip] };
    const script = ourRuleset(100, target);
    node.nft(script);
    if (variant === 'proposed') node.nft(proposedMasquerading(script));
    node.exec(node.ns, ['ip', 'addr', 'add', '192.168.50.1/32', 'dev', 'lo']);
    node.exec(node.ns, ['ip', 'route', 'replace', SERVICE_CIDR, 'dev', 'kb0', 'src', '192.168.50.1']);
    await new Promise((r) => setTimeout(r, 300));
    const cn = new Nstat(node, node.ns, dir);
    const sn = new Nstat(node, srv.ns, dir);
    const out: MasqueradeRun[] = [];
    for (let run = 1; run <= runs; run++) {
      cn.reset();
      sn.reset();
      const r = wrk(node, node.ns, `http://${target.clusterIP}/`, { close: true, seconds, connections });
      out.push({
        variant,
        run,
        rps: r.rps,
        synRetrans: cn.read(['TcpExtTCPSynRetrans']).TcpExtTCPSynRetrans,
        pawsTimewait: sn.read(SERVER_COUNTERS).TcpExtPAWSTimewait,
      });
    }
    return out;
  } finally {
    node.destroy();
  }
}
