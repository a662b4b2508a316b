// The rulesets the benchmark loads: OUR nftables ruleset (src/proxy's own generator, so what is
// measured is what the proxy programs) for N Services, and, for comparison, a linear chain of the
// same size in kube-proxy's iptables shape (one rule per Service, tried in order, the measured
// Service last), written by the bench itself.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { ChangeTracker } from '../../src/proxy/change-tracker.js';
import { generateRuleset } from '../../src/proxy/nftables/ruleset.js';
import { fullScript } from '../../src/proxy/nftables/transaction.js';
import type { NodeFacts } from '../../src/proxy/model.js';

export const FACTS: NodeFacts = { nodeName: 'bench-node', serviceCIDRs: ['10.96.0.0/12'], podCIDR: '10.244.0.0/16', nodePortAddresses: [] };

/** The Service every measurement goes through (the last of the N). */
export interface Target {
  name: string;
  clusterIP: string;
  port: number;
  targetPort: number;
  endpoints: string[];
}

/** Filler Service i: ClusterIP 10.100.x.y:80 with one endpoint 10.250.x.y:8080 (never contacted). */
const fillerIP = (i: number, a: number) => `10.${a}.${(i >> 8) & 255}.${i & 255}`;

export function service(name: string, clusterIP: string, port: number): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: 'default', name },
    spec: { type: 'ClusterIP', clusterIP, clusterIPs: [clusterIP], ports: [{ name: 'http', port, protocol: 'TCP' }] },
  };
}

export function endpointSlice(name: string, port: number, ips: string[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: 'default', name: `${name}-abc`, labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port, protocol: 'TCP' }],
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true, serving: true, terminating: false }, nodeName: FACTS.nodeName })),
  };
}

/** `nft -f` script (full transaction, replaces table `kubesvc`) for n Services, the target among them. */
export function ourRuleset(n: number, target: Target, extra: Target[] = []): string {
  const t = new ChangeTracker(() => 0);
  for (let i = 0; i < n - 1 - extra.length; i++) {
    t.serviceChanged(`default/f${i}`, service(`f${i}`, fillerIP(i, 100), 80));
    t.sliceChanged(endpointSlice(`f${i}`, 8080, [fillerIP(i, 250)]), false);
  }
  for (const s of [...extra, target]) {
    t.serviceChanged(`default/${s.name}`, service(s.name, s.clusterIP, s.port));
    t.sliceChanged(endpointSlice(s.name, s.targetPort, s.endpoints), false);
  }
  return fullScript(generateRuleset(t.checkout().state, FACTS));
}

/** Deletes our table (ignore "no such table" when it was never loaded). */
export const DELETE_OURS = 'table ip kubesvc\ndelete table ip kubesvc\n';

/**
 * kube-proxy's iptables shape as one nft table `linear`: nat PREROUTING/OUTPUT jump to a services
 * chain holding one `ip daddr . dport` rule per Service, tried in order; each jumps to a per-Service
 * chain that DNATs (KUBE-SVC → KUBE-SEP collapsed into one chain: the cost under test is the walk
 * along the list, which is the same). The target Service is the last rule.
 */
export function linearRuleset(n: number, target: Target): string {
  const out: string[] = ['add table ip linear', 'delete table ip linear', 'add table ip linear'];
  out.push('add chain ip linear prerouting { type nat hook prerouting priority -100 ; }');
  out.push('add chain ip linear output { type nat hook output priority -100 ; }');
  out.push('add chain ip linear services');
  out.push('add rule ip linear prerouting jump services', 'add rule ip linear output jump services');
  const rule = (i: number, ip: string, port: number, ep: string, epPort: number) => {
    out.push(`add chain ip linear svc-${i}`);
    out.push(`add rule ip linear svc-${i} meta l4proto tcp dnat to ${ep}:${epPort}`);
    out.push(`add rule ip linear services ip daddr ${ip} tcp dport ${port} jump svc-${i}`);
  };
  for (let i = 0; i < n - 1; i++) rule(i, fillerIP(i, 100), 80, fillerIP(i, 250), 8080);
  rule(n - 1, target.clusterIP, target.port, target.endpoints[0], target.targetPort);
  return out.join('\n') + '\n';
}

export const DELETE_LINEAR = 'table ip linear\ndelete table ip linear\n';
