// Where the time of one change goes at 10,000 Services: nft's own floor. Loads our full ruleset
// into a throwaway network namespace, then times (median of 9) the chain rewrite of one Service's
// endpoint change, the same checked but not committed (`nft -c`), a one-rule write to a fresh chain,
// an element add+delete in a small set, and `nft list chains`. Each `nft -f` first loads the
// table's chains into its cache, whatever the command, so the smallest write costs about as much
// as ours. Needs root and nft.
// Usage: node --import tsx bench/proxy/nft-floor.ts
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ChangeTracker } from '../../src/proxy/change-tracker.js';
import { generateRuleset } from '../../src/proxy/nftables/ruleset.js';
import { fullScript, incrementalScript } from '../../src/proxy/nftables/transaction.js';
import { FACTS, slice, svc } from '../../src/proxy/testdata/fixtures.js';
const n = Number(process.argv[2] ?? 10_000);
const ns = `ksvc-t-${randomBytes(3).toString('hex')}-floor`;
const timeit = (args: string[], input?: string) => {
  const t0 = performance.now();
  const r = spawnSync('ip', ['netns', 'exec', ns, ...args], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(r.stderr);
  return performance.now() - t0;
};
const ip = (i: number, a: number) => `10.${a}.${(i >> 8) & 255}.${i & 255}`;
const med = (f: () => number, k = 9) => {
  const xs = Array.from({ length: k }, f).sort((a, b) => a - b);
  return xs[Math.floor(k / 2)].toFixed(1);
};
execFileSync('ip', ['netns', 'add', ns]);
try {
  const t = new ChangeTracker(() => 0);
  for (let i = 0; i < n; i++) {
    t.serviceChanged(`default/s${i}`, svc(`s${i}`, { clusterIP: ip(i, 96), clusterIPs: [ip(i, 96)], ports: [{ name: 'http', port: 80 }] }));
    t.sliceChanged(slice(`s${i}`, [{ name: 'http', port: 8080 }], [{ ip: ip(i, 244) }, { ip: ip(i, 245) }]), false);
  }
  const rs = generateRuleset(t.checkout().state, FACTS);
  timeit(['nft', '-f', '-'], fullScript(rs));
  t.sliceChanged(slice(`s5`, [{ name: 'http', port: 8080 }], [{ ip: ip(5, 246) }]), false);
  const next = generateRuleset(t.checkout().state, FACTS, rs);
  const inc = incrementalScript(rs, next)!;
  const rules = inc.split('\n').filter((l) => !l.includes('element')).join('\n') + '\n';
  console.log('nft -f chain rewrite ms', med(() => timeit(['nft', '-f', '-'], rules)));
  console.log('nft -c -f chain rewrite (check only, no commit) ms', med(() => timeit(['nft', '-c', '-f', '-'], rules)));
  console.log('nft -f "add rule to new chain only" ms', med(() => timeit(['nft', '-f', '-'], 'add chain ip kubesvc zz\nflush chain ip kubesvc zz\nadd rule ip kubesvc zz counter\n')));
  console.log('nft list chains ms', med(() => timeit(['nft', 'list', 'chains'])));
  console.log('nft -f "add element only" ms', med(() => timeit(['nft', '-f', '-'], `add element ip kubesvc cluster-ips { 10.99.99.99 }\ndelete element ip kubesvc cluster-ips { 10.99.99.99 }\n`)));
  console.log('nft --version', timeit(['nft', '--version']).toFixed(1));
} finally {
  execFileSync('ip', ['netns', 'del', ns]);
}
