// Where the time of one change goes at 10,000 Services: nft's own floor. Loads our full ruleset
// into a throwaway network namespace, then times (median of 10, nft's own wall and CPU time) the
// incremental script of one Service's endpoint change, the same checked but not committed
// (`nft -c`), a one-rule write to a fresh chain, an element add+delete in a small set, and `nft
// list chains`. nft loads the table's chains and sets into its cache before any write, so the
// smallest write costs about what that load costs — which grows with the number of chains.
// With `--before DIR` (another version's tree, e.g. `git archive <commit> src | tar -x -C DIR`)
// both versions are loaded, each in its own namespace, and every measurement alternates between
// them. Needs root, nft, nsenter, python3 (for the child's rusage).
// Usage: node --import tsx bench/proxy/nft-floor.ts [N] [--before DIR]
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchNetns, loadModules, median, serviceIP as ip, type NftRun, type ProxyModules } from './variants.js';

const { values: opt, positionals } = parseArgs({ allowPositionals: true, options: { before: { type: 'string' } } });
const n = Number(positionals[0] ?? 10_000);

interface Variant {
  readonly label: string;
  readonly netns: BenchNetns;
  /** Incremental scripts of one endpoint change (s5: 2 endpoints → 1) and of its way back. */
  readonly change: readonly [string, string];
  /** The same for an endpoint replaced by another (s7: the count stays 2). */
  readonly replace: readonly [string, string];
  readonly chains: number;
}

function prepare(label: string, m: ProxyModules): Variant {
  const t = new m.tracker.ChangeTracker(() => 0);
  const eps = (i: number, octets: number[]) => m.fx.slice(`s${i}`, [{ name: 'http', port: 8080 }], octets.map((a) => ({ ip: ip(i, a) })));
  for (let i = 0; i < n; i++) {
    t.serviceChanged(`default/s${i}`, m.fx.svc(`s${i}`, { clusterIP: ip(i, 96), clusterIPs: [ip(i, 96)], ports: [{ name: 'http', port: 80 }] }));
    t.sliceChanged(eps(i, [244, 245]), false);
  }
  const rs0 = m.ruleset.generateRuleset(t.checkout().state, m.fx.FACTS);
  const netns = new BenchNetns();
  netns.create();
  netns.nft(m.tx.fullScript(rs0));
  t.sliceChanged(eps(5, [246]), false);
  const rs1 = m.ruleset.generateRuleset(t.checkout().state, m.fx.FACTS, rs0);
  t.sliceChanged(eps(5, [244, 245]), false);
  const rs2 = m.ruleset.generateRuleset(t.checkout().state, m.fx.FACTS, rs1);
  t.sliceChanged(eps(7, [244, 246]), false);
  const rs3 = m.ruleset.generateRuleset(t.checkout().state, m.fx.FACTS, rs2);
  t.sliceChanged(eps(7, [244, 245]), false);
  const rs4 = m.ruleset.generateRuleset(t.checkout().state, m.fx.FACTS, rs3);
  return {
    label,
    netns,
    change: [m.tx.incrementalScript(rs0, rs1)!, m.tx.incrementalScript(rs1, rs2)!],
    replace: [m.tx.incrementalScript(rs2, rs3)!, m.tx.incrementalScript(rs3, rs4)!],
    chains: rs0.chains.size,
  };
}

type Probe = (v: Variant, i: number) => NftRun;
const PROBES: readonly [string, Probe][] = [
  // Applied and undone in turn, so every run writes one endpoint change into the same table.
  ['one endpoint change (its incremental script; there and back in turn)', (v, i) => v.netns.nftMeasured(v.change[i % 2])],
  ['one endpoint replaced, count unchanged (there and back in turn)', (v, i) => v.netns.nftMeasured(v.replace[i % 2])],
  ['the same change checked, not committed (nft -c)', (v) => v.netns.nftMeasured(v.change[0], ['-c', '-f', '-'])],
  ['"add rule" to a fresh chain', (v) => v.netns.nftMeasured('add chain ip kubesvc zz\nflush chain ip kubesvc zz\nadd rule ip kubesvc zz counter\n')],
  [
    '"add element" + "delete element" in a small set',
    (v) => v.netns.nftMeasured('add element ip kubesvc cluster-ips { 10.99.99.99 }\ndelete element ip kubesvc cluster-ips { 10.99.99.99 }\n'),
  ],
  ['nft list chains', (v) => v.netns.nftMeasured('', ['list', 'chains'])],
];

const variants: Variant[] = [];
const roots: [string, string][] = [['this tree', resolve(import.meta.dirname, '../..')]];
if (opt.before) roots.unshift([`before: ${opt.before}`, opt.before]);
console.log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
try {
  for (const [label, root] of roots) {
    const v = prepare(label, await loadModules(root));
    variants.push(v);
    const lines = (x: string) => x.trim().split('\n').length;
    console.log(`[${label}] ${n} Services: ${v.chains} chains; one endpoint change = ${lines(v.change[0])} lines, one replaced = ${lines(v.replace[0])}:\n${v.change[0].trim()}\n--\n${v.replace[0].trim()}`);
  }
  const show = (r: readonly NftRun[]) =>
    `wall ${median(r.map((x) => x.wallMs)).toFixed(1)} ms, CPU ${median(r.map((x) => x.cpuMs)).toFixed(1)} ms`;
  const rows: string[] = [];
  for (const [what, probe] of PROBES) {
    const runs = new Map<Variant, NftRun[]>(variants.map((v) => [v, []]));
    // 10 runs (an even number: the change ends where it started), variants alternating.
    for (let i = 0; i < 10; i++) for (const v of i % 2 ? [...variants].reverse() : variants) runs.get(v)!.push(probe(v, i));
    for (const v of variants) rows.push(`[${v.label}] ${what}: ${show(runs.get(v)!)}`);
    if (variants.length === 2) {
      const [b, a] = variants.map((v) => runs.get(v)!);
      const ratio = (f: (x: NftRun) => number) => (median(b.map(f)) / median(a.map(f))).toFixed(1);
      rows.push(`  before / after: wall ${ratio((x) => x.wallMs)}x, CPU ${ratio((x) => x.cpuMs)}x`);
    }
  }
  console.log(rows.join('\n'));
  console.log(`load average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
} finally {
  for (const v of variants) v.netns.destroy();
}
