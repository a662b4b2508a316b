// One EndpointSlice change at N Services (default 10,000) with the iptables backend
// (`--proxy-mode iptables`): the backend itself (src/proxy/iptables/backend.ts, real
// iptables-restore) programs a throwaway network namespace; after a full first sync, each round
// changes one Service's endpoints and times checkout → generate → restore done. With `--before DIR`
// (another version's tree) both versions run side by side, each in its own namespace, rounds
// alternating. Needs root, iptables (-nft or -legacy), nsenter.
// Usage: node --import tsx bench/proxy/iptables-change-latency.ts [N] [rounds] [--before DIR]
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Backend } from '../../src/proxy/backend.js';
import { BenchNetns, loadModules, median, percentile, serviceIP as ip, type ProxyModules } from './variants.js';

type BackendMod = typeof import('../../src/proxy/iptables/backend.js');
type ExecMod = typeof import('../../src/proxy/exec.js');

const { values: opt, positionals } = parseArgs({ allowPositionals: true, options: { before: { type: 'string' } } });
const n = Number(positionals[0] ?? 10_000);
const rounds = Number(positionals[1] ?? 10);

class Variant {
  readonly netns = new BenchNetns();
  readonly samples: number[] = [];
  private t!: InstanceType<ProxyModules['tracker']['ChangeTracker']>;
  private backend!: Backend;

  constructor(
    readonly label: string,
    private readonly m: ProxyModules,
    private readonly backendMod: BackendMod,
    private readonly execMod: ExecMod,
  ) {}

  static async load(label: string, root: string): Promise<Variant> {
    const imp = <T>(p: string) => import(pathToFileURL(resolve(root, p)).href) as Promise<T>;
    return new Variant(label, await loadModules(root), await imp<BackendMod>('src/proxy/iptables/backend.ts'), await imp<ExecMod>('src/proxy/exec.ts'));
  }

  async setup(): Promise<void> {
    this.netns.create();
    const enter = (tool: string) => ['nsenter', `--net=/run/netns/${this.netns.name}`, tool];
    this.backend = this.backendMod.iptablesBackend(this.execMod.spawnExec, {
      iptables: enter('iptables'),
      restore: enter('iptables-restore'),
      save: enter('iptables-save'),
    });
    const { fx } = this.m;
    this.t = new this.m.tracker.ChangeTracker(() => 0);
    for (let i = 0; i < n; i++) {
      this.t.serviceChanged(`default/s${i}`, fx.svc(`s${i}`, { clusterIP: ip(i, 96), clusterIPs: [ip(i, 96)], ports: [{ name: 'http', port: 80 }] }));
      this.t.sliceChanged(fx.slice(`s${i}`, [{ name: 'http', port: 8080 }], [{ ip: ip(i, 244) }, { ip: ip(i, 245) }]), false);
    }
    const t0 = performance.now();
    const stats = await this.backend.sync(this.t.checkout().state, fx.FACTS, true);
    console.log(`[${this.label}] ${n} Services: ${stats.chains} chains, ${stats.rules} rules, first (full) sync ${(performance.now() - t0).toFixed(0)} ms`);
  }

  async round(round: number): Promise<void> {
    const k = 1 + round * 7;
    const start = performance.now();
    this.t.sliceChanged(this.m.fx.slice(`s${k}`, [{ name: 'http', port: 8080 }], [{ ip: ip(k, 246) }, { ip: ip(k, 247) }]), false);
    const stats = await this.backend.sync(this.t.checkout().state, this.m.fx.FACTS, false);
    this.samples.push(performance.now() - start);
    if (stats.kind !== 'partial') throw new Error(`${this.label}: expected a partial sync`);
  }

  report(): void {
    const ms = (x: number) => `${x.toFixed(0)} ms`;
    console.log(
      `[${this.label}] one EndpointSlice change live (checkout + generate + iptables-restore), ${rounds} runs: p50 ${ms(median(this.samples))}, p90 ${ms(percentile(this.samples, 0.9))}, max ${ms(Math.max(...this.samples))}`,
    );
  }

  async cleanup(): Promise<void> {
    try {
      await this.backend?.cleanup();
    } finally {
      this.netns.destroy();
    }
  }
}

const variants = [await Variant.load('this tree', resolve(import.meta.dirname, '../..'))];
if (opt.before) variants.unshift(await Variant.load(`before: ${opt.before}`, opt.before));
console.log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
try {
  for (const v of variants) await v.setup();
  for (let r = 0; r < rounds; r++) for (const v of r % 2 ? [...variants].reverse() : variants) await v.round(r);
  for (const v of variants) v.report();
  if (variants.length === 2) console.log(`before / after, p50: ${(median(variants[0].samples) / median(variants[1].samples)).toFixed(1)}x`);
  console.log(`load average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
} finally {
  for (const v of variants) await v.cleanup();
}
