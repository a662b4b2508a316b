// How long one incremental change takes to go live with N Services (default 10,000): generate the
// full ruleset, load it into a throwaway network namespace, then time checkout → generate → diff
// → `nft -f` for one EndpointSlice change, several times; then one periodic in-place resync,
// checking that a client's session-affinity entry survives it. Needs root and nft; touches only
// its own namespaces (deleted at the end, also on failure).
//
// nft runs through `nsenter --net` (the proxy runs nft directly in its own namespace); figures
// before 2026-11-22 03:30 used `ip netns exec`, which adds ~8 ms per call here.
// With `--before DIR` (a tree holding another version's src/, e.g. made with
// `git archive <commit> src | tar -x -C DIR`), both versions run side by side, each in its own
// namespace, their rounds alternating — on a noisy machine only figures taken this way compare.
// Usage: node --import tsx bench/proxy/change-latency.ts [N] [rounds] [--before DIR]
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchNetns, loadModules, percentile as pct, serviceIP as ip, type Generated, type ProxyModules } from './variants.js';

const { values: opt, positionals } = parseArgs({ allowPositionals: true, options: { before: { type: 'string' } } });
const n = Number(positionals[0] ?? 10_000);
const rounds = Number(positionals[1] ?? 20);

const ms = (x: number) => `${x.toFixed(1)} ms`;

/** One version of the proxy code with its own namespace, tracker and last ruleset. */
class Variant {
  readonly netns = new BenchNetns();
  readonly samples: number[] = [];
  readonly nftTimes: number[] = [];
  readonly nftInner: number[] = [];
  readonly cpuTimes: number[] = [];
  readonly ours: number[] = [];
  private t!: InstanceType<ProxyModules['tracker']['ChangeTracker']>;
  private rs!: Generated;

  constructor(
    readonly label: string,
    private readonly m: ProxyModules,
  ) {}

  static async load(label: string, root: string): Promise<Variant> {
    return new Variant(label, await loadModules(root));
  }

  setup(): void {
    this.netns.create();
    const { fx } = this.m;
    this.t = new this.m.tracker.ChangeTracker(() => 0);
    for (let i = 0; i < n; i++) {
      // Service 0 has ClientIP affinity (its own chain), to check that the periodic resync keeps its entries.
      const affinity = i === 0 ? { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } } } : {};
      this.t.serviceChanged(`default/s${i}`, fx.svc(`s${i}`, { clusterIP: ip(i, 96), clusterIPs: [ip(i, 96)], ports: [{ name: 'http', port: 80 }], ...affinity }));
      this.t.sliceChanged(fx.slice(`s${i}`, [{ name: 'http', port: 8080 }], [{ ip: ip(i, 244) }, { ip: ip(i, 245) }]), false);
    }
    let t0 = performance.now();
    this.rs = this.m.ruleset.generateRuleset(this.t.checkout().state, fx.FACTS);
    const script = this.m.tx.fullScript(this.rs);
    const gen = performance.now() - t0;
    t0 = performance.now();
    this.netns.nft(script);
    console.log(
      `[${this.label}] ${n} Services: ${this.rs.chains.size} chains, full ruleset ${(script.length / 1e6).toFixed(1)} MB generated in ${gen.toFixed(0)} ms, loaded in ${(performance.now() - t0).toFixed(0)} ms`,
    );
  }

  /** One EndpointSlice change timed end to end, then the same kind once more for nft's CPU time. */
  round(round: number): void {
    const { fx, ruleset, tx } = this.m;
    const start = performance.now();
    const k = 1 + round * 7;
    this.t.sliceChanged(fx.slice(`s${k}`, [{ name: 'http', port: 8080 }], [{ ip: ip(k, 246) }, { ip: ip(k, 247 + (round % 3)) }]), false);
    const next = ruleset.generateRuleset(this.t.checkout().state, fx.FACTS, this.rs);
    const inc = tx.incrementalScript(this.rs, next)!;
    const n0 = performance.now();
    this.ours.push(n0 - start);
    this.netns.nft(inc);
    this.nftTimes.push(performance.now() - n0);
    this.rs = next;
    this.samples.push(performance.now() - start);
    this.t.sliceChanged(fx.slice(`s${k}`, [{ name: 'http', port: 8080 }], [{ ip: ip(k, 246) }]), false);
    const again = ruleset.generateRuleset(this.t.checkout().state, fx.FACTS, this.rs);
    const measured = this.netns.nftMeasured(tx.incrementalScript(this.rs, again)!);
    this.cpuTimes.push(measured.cpuMs);
    this.nftInner.push(measured.wallMs);
    this.rs = again;
  }

  report(): void {
    console.log(
      `[${this.label}] one EndpointSlice change live (checkout+generate+diff+nft -f), ${rounds} runs: p50 ${ms(pct(this.samples, 0.5))}, p90 ${ms(pct(this.samples, 0.9))}, max ${ms(Math.max(...this.samples))}; of which ours (checkout+generate+diff) p50 ${ms(pct(this.ours, 0.5))}, nft -f p50 ${ms(pct(this.nftTimes, 0.5))}; nft alone (same kind of change, measured inside): wall p50 ${ms(pct(this.nftInner, 0.5))}, CPU user+sys p50 ${ms(pct(this.cpuTimes, 0.5))}`,
    );
  }

  /** A client pinned by affinity, then the periodic full resync (in place). */
  resync(): boolean {
    const aff = [...this.rs.sets.keys()].find((s) => s.startsWith('aff-default-s0-'))!;
    this.netns.nft(`add element ip kubesvc ${aff} { 192.0.2.7 }\n`);
    const refresh = this.m.tx.refreshScript(this.rs, this.m.ruleset.generateRuleset(this.t.checkout().state, this.m.fx.FACTS, this.rs))!;
    const took = this.netns.nft(refresh);
    const kept = this.netns.run(['nft', 'list', 'set', 'ip', 'kubesvc', aff]).includes('192.0.2.7');
    console.log(`[${this.label}] periodic full resync in place: ${took.toFixed(0)} ms; affinity entry kept: ${kept}`);
    return kept;
  }

  cleanup(): void {
    this.netns.destroy();
  }
}

const variants = [await Variant.load('this tree', resolve(import.meta.dirname, '../..'))];
if (opt.before) variants.unshift(await Variant.load(`before: ${opt.before}`, opt.before));
console.log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
try {
  for (const v of variants) v.setup();
  for (let r = 0; r < rounds; r++) for (const v of r % 2 ? [...variants].reverse() : variants) v.round(r);
  for (const v of variants) v.report();
  if (variants.length === 2) {
    const [b, a] = variants;
    const ratio = (f: (v: Variant) => number[]) => (pct(f(b), 0.5) / pct(f(a), 0.5)).toFixed(1);
    console.log(
      `before / after, p50: change live ${ratio((v) => v.samples)}x, nft -f wall ${ratio((v) => v.nftTimes)}x, nft alone wall ${ratio((v) => v.nftInner)}x, nft CPU ${ratio((v) => v.cpuTimes)}x`,
    );
  }
  for (const v of variants) if (!v.resync()) process.exitCode = 1;
  console.log(`load average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
} finally {
  for (const v of variants) v.cleanup();
}
