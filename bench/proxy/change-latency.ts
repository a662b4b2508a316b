// How long one incremental change takes to go live with N Services (default 10,000): generate the
// full ruleset, load it into a throwaway network namespace, then time checkout → generate → diff
// → `nft -f` for one EndpointSlice change, several times; then one periodic in-place resync,
// checking that a client's session-affinity entry survives it. Needs root and nft; touches only
// its own namespaces (deleted at the end, also on failure).
//
// With `--before DIR` (a tree holding another version's src/, e.g. made with
// `git archive <commit> src | tar -x -C DIR`), both versions run side by side, each in its own
// namespace, their rounds alternating — on a noisy machine only figures taken this way compare.
// Usage: node --import tsx bench/proxy/change-latency.ts [N] [rounds] [--before DIR]
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

type TrackerMod = typeof import('../../src/proxy/change-tracker.js');
type RulesetMod = typeof import('../../src/proxy/nftables/ruleset.js');
type TxMod = typeof import('../../src/proxy/nftables/transaction.js');
type FixturesMod = typeof import('../../src/proxy/testdata/fixtures.js');
type Generated = ReturnType<RulesetMod['generateRuleset']>;

const { values: opt, positionals } = parseArgs({ allowPositionals: true, options: { before: { type: 'string' } } });
const n = Number(positionals[0] ?? 10_000);
const rounds = Number(positionals[1] ?? 20);

const ip = (i: number, a: number) => `10.${a}.${(i >> 8) & 255}.${i & 255}`;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const ms = (x: number) => `${x.toFixed(1)} ms`;

/** One version of the proxy code with its own namespace, tracker and last ruleset. */
class Variant {
  readonly ns = `ksvc-t-${randomBytes(3).toString('hex')}-bench`;
  readonly samples: number[] = [];
  readonly nftTimes: number[] = [];
  readonly cpuTimes: number[] = [];
  readonly ours: number[] = [];
  private t!: InstanceType<TrackerMod['ChangeTracker']>;
  private rs!: Generated;
  private created = false;

  constructor(
    readonly label: string,
    private readonly m: { tracker: TrackerMod; ruleset: RulesetMod; tx: TxMod; fx: FixturesMod },
  ) {}

  static async load(label: string, root: string): Promise<Variant> {
    const imp = <T>(p: string) => import(pathToFileURL(resolve(root, p)).href) as Promise<T>;
    return new Variant(label, {
      tracker: await imp<TrackerMod>('src/proxy/change-tracker.ts'),
      ruleset: await imp<RulesetMod>('src/proxy/nftables/ruleset.ts'),
      tx: await imp<TxMod>('src/proxy/nftables/transaction.ts'),
      fx: await imp<FixturesMod>('src/proxy/testdata/fixtures.ts'),
    });
  }

  private run(args: string[], input?: string): string {
    const r = spawnSync('ip', ['netns', 'exec', this.ns, ...args], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`${this.label}: ${r.stderr}`);
    return r.stdout;
  }

  private nft(script: string): void {
    this.run(['nft', '-f', '-'], script);
  }

  // CPU time of one nft run (user + sys, from GNU time): less at the mercy of a loaded machine than
  // the wall clock.
  private nftCpu(script: string): number {
    const r = spawnSync('ip', ['netns', 'exec', this.ns, '/usr/bin/time', '-f', '%U %S', 'nft', '-f', '-'], { input: script, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${this.label}: ${r.stderr}`);
    const [u, s] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    return (u + s) * 1000;
  }

  setup(): void {
    execFileSync('ip', ['netns', 'add', this.ns]);
    this.created = true;
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
    this.nft(script);
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
    this.nft(inc);
    this.nftTimes.push(performance.now() - n0);
    this.rs = next;
    this.samples.push(performance.now() - start);
    this.t.sliceChanged(fx.slice(`s${k}`, [{ name: 'http', port: 8080 }], [{ ip: ip(k, 246) }]), false);
    const again = ruleset.generateRuleset(this.t.checkout().state, fx.FACTS, this.rs);
    this.cpuTimes.push(this.nftCpu(tx.incrementalScript(this.rs, again)!));
    this.rs = again;
  }

  report(): void {
    console.log(
      `[${this.label}] one EndpointSlice change live (checkout+generate+diff+nft -f), ${rounds} runs: p50 ${ms(pct(this.samples, 0.5))}, p90 ${ms(pct(this.samples, 0.9))}, max ${ms(Math.max(...this.samples))}; of which ours (checkout+generate+diff) p50 ${ms(pct(this.ours, 0.5))}, nft -f p50 ${ms(pct(this.nftTimes, 0.5))} (nft CPU user+sys p50 ${ms(pct(this.cpuTimes, 0.5))})`,
    );
  }

  /** A client pinned by affinity, then the periodic full resync (in place). */
  resync(): boolean {
    const aff = [...this.rs.sets.keys()].find((s) => s.startsWith('aff-default-s0-'))!;
    this.nft(`add element ip kubesvc ${aff} { 192.0.2.7 }\n`);
    const refresh = this.m.tx.refreshScript(this.rs, this.m.ruleset.generateRuleset(this.t.checkout().state, this.m.fx.FACTS, this.rs))!;
    const t0 = performance.now();
    this.nft(refresh);
    const kept = this.run(['nft', 'list', 'set', 'ip', 'kubesvc', aff]).includes('192.0.2.7');
    console.log(`[${this.label}] periodic full resync in place: ${(performance.now() - t0).toFixed(0)} ms; affinity entry kept: ${kept}`);
    return kept;
  }

  cleanup(): void {
    if (this.created) execFileSync('ip', ['netns', 'del', this.ns]);
    this.created = false;
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
    console.log(`before / after, p50: change live ${ratio((v) => v.samples)}x, nft -f wall ${ratio((v) => v.nftTimes)}x, nft CPU ${ratio((v) => v.cpuTimes)}x`);
  }
  for (const v of variants) if (!v.resync()) process.exitCode = 1;
  console.log(`load average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
} finally {
  for (const v of variants) v.cleanup();
}
