// Stale UDP conntrack entries (kube-proxy's conntrack cleanup): UDP has no connection to end, so a
// client keeps hitting the conntrack entry of a removed endpoint — or of the moment the Service had
// none — until it idles out. After the rules change we delete exactly those entries.
import type { StaleUDP } from './change-tracker.js';
import type { Exec } from './exec.js';

/** The conntrack invocations (without the command itself) that clear `stale`. */
export function conntrackDeletes(stale: StaleUDP): string[][] {
  const out: string[][] = [];
  for (const s of stale.newlyServing) {
    for (const ip of s.addrs) out.push(['-D', '-p', 'udp', '--orig-dst', ip, '--orig-port-dst', String(s.port)]);
    if (s.nodePort !== undefined) out.push(['-D', '-p', 'udp', '--orig-port-dst', String(s.nodePort)]);
  }
  for (const r of stale.removedEndpoints) {
    for (const ip of r.addrs) out.push(['-D', '-p', 'udp', '--orig-dst', ip, '--orig-port-dst', String(r.port), '--dst-nat', r.endpointIP]);
    if (r.nodePort !== undefined) out.push(['-D', '-p', 'udp', '--orig-port-dst', String(r.nodePort), '--dst-nat', r.endpointIP]);
  }
  return out;
}

/** Runs the deletes; "0 flow entries" (exit 1) is not a failure. Returns the errors. */
export async function clearStaleUDP(exec: Exec, command: readonly string[], stale: StaleUDP): Promise<string[]> {
  const errors: string[] = [];
  for (const args of conntrackDeletes(stale)) {
    const r = await exec([...command, ...args]);
    if (r.code !== 0 && !/0 flow entries/.test(r.stderr)) errors.push(`conntrack ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.code}`}`);
  }
  return errors;
}
