// Endpoint choice for the userspace proxy: uniform random over the usable endpoints, or, with
// sessionAffinity ClientIP, the endpoint this client used last if that was within the timeout
// (kube-proxy's userspace LoadBalancerRR kept the same per-client map; we pick at random like the
// nftables/iptables modes instead of round-robin).
export interface Target {
  readonly ip: string;
  readonly port: number;
}

export class Balancer {
  private targets: readonly Target[] = [];
  private affinityMs: number | undefined;
  private readonly sticky = new Map<string, { target: Target; lastMs: number }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** Replaces the endpoints; clients pinned to an endpoint that is gone are unpinned. */
  update(targets: readonly Target[], affinityTimeoutSeconds: number | undefined): void {
    this.targets = targets;
    this.affinityMs = affinityTimeoutSeconds === undefined ? undefined : affinityTimeoutSeconds * 1000;
    if (this.affinityMs === undefined) this.sticky.clear();
    const live = new Set(targets.map(key));
    for (const [client, s] of this.sticky) if (!live.has(key(s.target))) this.sticky.delete(client);
  }

  get size(): number {
    return this.targets.length;
  }

  has(t: Target): boolean {
    return this.targets.some((x) => x.ip === t.ip && x.port === t.port);
  }

  /** The endpoint for a new connection from `clientIP`, avoiding `exclude` (already failed); undefined when none is left. */
  pick(clientIP: string, exclude: ReadonlySet<string> = new Set()): Target | undefined {
    const now = this.now();
    if (this.affinityMs !== undefined) {
      const s = this.sticky.get(clientIP);
      if (s && now - s.lastMs <= this.affinityMs && !exclude.has(key(s.target))) {
        s.lastMs = now;
        return s.target;
      }
    }
    const candidates = exclude.size ? this.targets.filter((t) => !exclude.has(key(t))) : this.targets;
    if (candidates.length === 0) return undefined;
    const t = candidates[Math.floor(this.random() * candidates.length)];
    if (this.affinityMs !== undefined) this.sticky.set(clientIP, { target: t, lastMs: now });
    return t;
  }
}

export const key = (t: Target): string => `${t.ip}:${t.port}`;
