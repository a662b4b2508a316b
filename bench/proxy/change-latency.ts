// How long one incremental change takes to go live with N Services (default 10,000): generate the
// full ruleset, load it into a throwaway network namespace, then time checkout → generate → diff
// → `nft -f` for one EndpointSlice change, several times. Needs root and nft; touches only its
// own namespace (deleted at the end). Usage: node --import tsx bench/proxy/change-latency.ts [N]
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ChangeTracker } from '../../src/proxy/change-tracker.js';
import { generateRuleset } from '../../src/proxy/nftables/ruleset.js';
import { fullScript, incrementalScript } from '../../src/proxy/nftables/transaction.js';
import { FACTS, slice, svc } from '../../src/proxy/testdata/fixtures.js';

const n = Number(process.argv[2] ?? 10_000);
const ns = `ksvc-t-${randomBytes(3).toString('hex')}-bench`;
const nft = (script: string) => {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: script, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(r.stderr);
};
const ip = (i: number, a: number) => `10.${a}.${(i >> 8) & 255}.${i & 255}`;

execFileSync('ip', ['netns', 'add', ns]);
try {
  const t = new ChangeTracker(() => 0);
  for (let i = 0; i < n; i++) {
    t.serviceChanged(`default/s${i}`, svc(`s${i}`, { clusterIP: ip(i, 96), clusterIPs: [ip(i, 96)], ports: [{ name: 'http', port: 80 }] }));
    t.sliceChanged(slice(`s${i}`, [{ name: 'http', port: 8080 }], [{ ip: ip(i, 244) }, { ip: ip(i, 245) }]), false);
  }
  let t0 = performance.now();
  let rs = generateRuleset(t.checkout().state, FACTS);
  const script = fullScript(rs);
  const gen = performance.now() - t0;
  t0 = performance.now();
  nft(script);
  console.log(`${n} Services: full ruleset ${(script.length / 1e6).toFixed(1)} MB generated in ${gen.toFixed(0)} ms, loaded in ${(performance.now() - t0).toFixed(0)} ms`);
  const samples: number[] = [];
  const nftTimes: number[] = [];
  for (let round = 0; round < 10; round++) {
    const start = performance.now();
    t.sliceChanged(slice(`s${round * 7}`, [{ name: 'http', port: 8080 }], [{ ip: ip(round * 7, 246) }]), false);
    const next = generateRuleset(t.checkout().state, FACTS, rs);
    const inc = incrementalScript(rs, next)!;
    const n0 = performance.now();
    nft(inc);
    nftTimes.push(performance.now() - n0);
    rs = next;
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  nftTimes.sort((a, b) => a - b);
  console.log(`one EndpointSlice change live (checkout+generate+diff+nft -f), 10 runs: p50 ${samples[4].toFixed(1)} ms, max ${samples[9].toFixed(1)} ms; of which nft -f p50 ${nftTimes[4].toFixed(1)} ms`);
} finally {
  execFileSync('ip', ['netns', 'del', ns]);
}
