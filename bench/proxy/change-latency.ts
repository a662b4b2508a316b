// How long one incremental change takes to go live with N Services (default 10,000): generate the
// full ruleset, load it into a throwaway network namespace, then time checkout → generate → diff
// → `nft -f` for one EndpointSlice change, several times; then one periodic in-place resync,
// checking that a client's session-affinity entry survives it. Needs root and nft; touches only
// its own namespace (deleted at the end, also on failure).
// Usage: node --import tsx bench/proxy/change-latency.ts [N] [rounds]
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ChangeTracker } from '../../src/proxy/change-tracker.js';
import { generateRuleset } from '../../src/proxy/nftables/ruleset.js';
import { fullScript, incrementalScript, refreshScript } from '../../src/proxy/nftables/transaction.js';
import { FACTS, slice, svc } from '../../src/proxy/testdata/fixtures.js';

const n = Number(process.argv[2] ?? 10_000);
const rounds = Number(process.argv[3] ?? 20);
const ns = `ksvc-t-${randomBytes(3).toString('hex')}-bench`;
const run = (args: string[], input?: string) => {
  const r = spawnSync('ip', ['netns', 'exec', ns, ...args], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
};
const nft = (script: string) => run(['nft', '-f', '-'], script);
// CPU time of one nft run (user + sys, from GNU time): less at the mercy of a loaded machine than
// the wall clock.
const nftCpu = (script: string): number => {
  const r = spawnSync('ip', ['netns', 'exec', ns, '/usr/bin/time', '-f', '%U %S', 'nft', '-f', '-'], { input: script, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const [u, s] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return (u + s) * 1000;
};
const ip = (i: number, a: number) => `10.${a}.${(i >> 8) & 255}.${i & 255}`;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const ms = (x: number) => `${x.toFixed(1)} ms`;

execFileSync('ip', ['netns', 'add', ns]);
try {
  const t = new ChangeTracker(() => 0);
  for (let i = 0; i < n; i++) {
    // Service 0 has ClientIP affinity, to check that the periodic resync keeps its entries.
    const affinity = i === 0 ? { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } } } : {};
    t.serviceChanged(`default/s${i}`, svc(`s${i}`, { clusterIP: ip(i, 96), clusterIPs: [ip(i, 96)], ports: [{ name: 'http', port: 80 }], ...affinity }));
    t.sliceChanged(slice(`s${i}`, [{ name: 'http', port: 8080 }], [{ ip: ip(i, 244) }, { ip: ip(i, 245) }]), false);
  }
  let t0 = performance.now();
  let rs = generateRuleset(t.checkout().state, FACTS);
  const script = fullScript(rs);
  const gen = performance.now() - t0;
  t0 = performance.now();
  nft(script);
  const chains = rs.chains.size;
  console.log(
    `${n} Services: ${chains} chains, full ruleset ${(script.length / 1e6).toFixed(1)} MB generated in ${gen.toFixed(0)} ms, loaded in ${(performance.now() - t0).toFixed(0)} ms`,
  );
  const samples: number[] = [];
  const nftTimes: number[] = [];
  const cpuTimes: number[] = [];
  const ours: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    const k = 1 + round * 7;
    t.sliceChanged(slice(`s${k}`, [{ name: 'http', port: 8080 }], [{ ip: ip(k, 246) }, { ip: ip(k, 247 + (round % 3)) }]), false);
    const next = generateRuleset(t.checkout().state, FACTS, rs);
    const inc = incrementalScript(rs, next)!;
    const n0 = performance.now();
    ours.push(n0 - start);
    nft(inc);
    nftTimes.push(performance.now() - n0);
    rs = next;
    samples.push(performance.now() - start);
    // The same kind of change once more, for nft's CPU time.
    t.sliceChanged(slice(`s${k}`, [{ name: 'http', port: 8080 }], [{ ip: ip(k, 246) }]), false);
    const again = generateRuleset(t.checkout().state, FACTS, rs);
    cpuTimes.push(nftCpu(incrementalScript(rs, again)!));
    rs = again;
  }
  console.log(
    `one EndpointSlice change live (checkout+generate+diff+nft -f), ${rounds} runs: p50 ${ms(pct(samples, 0.5))}, p90 ${ms(pct(samples, 0.9))}, max ${ms(Math.max(...samples))}; of which ours (checkout+generate+diff) p50 ${ms(pct(ours, 0.5))}, nft -f p50 ${ms(pct(nftTimes, 0.5))} (nft CPU user+sys p50 ${ms(pct(cpuTimes, 0.5))})`,
  );
  // A client pinned by affinity, then the periodic full resync (in place).
  const aff = [...rs.sets.keys()].find((s) => s.startsWith('aff-default-s0-'))!;
  nft(`add element ip kubesvc ${aff} { 192.0.2.7 }\n`);
  const refresh = refreshScript(rs, generateRuleset(t.checkout().state, FACTS, rs))!;
  t0 = performance.now();
  nft(refresh);
  const kept = run(['nft', 'list', 'set', 'ip', 'kubesvc', aff]).includes('192.0.2.7');
  console.log(`periodic full resync in place: ${(performance.now() - t0).toFixed(0)} ms; affinity entry kept: ${kept}`);
  if (!kept) process.exitCode = 1;
} finally {
  execFileSync('ip', ['netns', 'del', ns]);
}
