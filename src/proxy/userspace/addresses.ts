// Service addresses as local addresses, so the userspace proxy's sockets can listen on them: each
// ClusterIP is added as a /32 on the loopback device of the proxy's network namespace, labelled
// "lo:ksvc" so that leftovers of an earlier run can be found and removed. (kube-proxy's old
// userspace mode redirected with iptables and its IPVS mode uses a dummy device; we need neither
// iptables nor the dummy module — lo exists everywhere. Packets from pods routed to the node then
// terminate on the node like any packet to a local address.)
import type { Exec } from '../exec.js';

export const ADDRESS_LABEL = 'lo:ksvc';

export class LoopbackAddresses {
  private readonly have = new Set<string>();

  constructor(
    private readonly exec: Exec,
    private readonly ipCommand: readonly string[],
  ) {}

  /** The addresses with our label now on lo (from an earlier run, or this one). */
  async list(): Promise<string[]> {
    const r = await this.exec([...this.ipCommand, '-o', '-4', 'addr', 'show', 'dev', 'lo', 'label', ADDRESS_LABEL]);
    if (r.code !== 0) throw new Error(`ip addr show failed: ${r.stderr.trim()}`);
    return [...r.stdout.matchAll(/inet (\d+\.\d+\.\d+\.\d+)\/32/g)].map((m) => m[1]);
  }

  /** Makes exactly `want` (plus nothing else of ours) present on lo, in one `ip -batch`. */
  async sync(want: ReadonlySet<string>, adopt = false): Promise<void> {
    if (adopt) for (const a of await this.list()) this.have.add(a);
    const lines: string[] = [];
    for (const a of this.have) if (!want.has(a)) lines.push(`address del ${a}/32 dev lo label ${ADDRESS_LABEL}`);
    for (const a of want) if (!this.have.has(a)) lines.push(`address add ${a}/32 dev lo label ${ADDRESS_LABEL}`);
    if (lines.length === 0) return;
    // -force: go on after an error (an address someone else already had), report at the end.
    const r = await this.exec([...this.ipCommand, '-force', '-batch', '-'], lines.join('\n') + '\n');
    const now = new Set(await this.list());
    this.have.clear();
    for (const a of now) this.have.add(a);
    const missing = [...want].filter((a) => !now.has(a));
    if (missing.length) throw new Error(`could not add ${missing.slice(0, 5).join(', ')} to lo: ${r.stderr.trim().split('\n')[0] ?? ''}`);
  }
}
