// The nftables backend: generate the ruleset, diff it against what the kernel holds, and send one
// `nft -f -` transaction. After a refused transaction the next sync replaces the whole table.
import type { Backend, SyncStats } from '../backend.js';
import type { Exec } from '../exec.js';
import type { Ruleset } from './ir.js';
import { generateRuleset, lbChainTotals, type GeneratedRuleset } from './ruleset.js';
import { deleteScript, fullScript, incrementalScript, refreshScript } from './transaction.js';

export function nftablesBackend(exec: Exec, nftCommand: readonly string[]): Backend {
  let applied: Ruleset | undefined;
  // The last generated ruleset, whose per-Service fragments the next generation reuses.
  let last: GeneratedRuleset | undefined;
  const nft = async (script: string) => {
    const r = await exec([...nftCommand, '-f', '-'], script);
    if (r.code !== 0) throw new Error(`nft -f failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(0, 5).join(' | ')}`);
  };
  return {
    name: 'nftables',
    async sync(state, facts, full): Promise<SyncStats> {
      const rs = generateRuleset(state, facts, last);
      last = rs;
      // full with a known kernel state (the periodic resync): rewrite in place, keeping affinity
      // sets; with an unknown one (first sync, after a failure): replace the table.
      let script = !applied ? undefined : full ? refreshScript(applied, rs) : incrementalScript(applied, rs);
      const kind = script === undefined || full ? 'full' : 'partial';
      script ??= fullScript(rs);
      try {
        if (script !== '') await nft(script);
      } catch (e) {
        applied = undefined;
        throw e;
      }
      applied = rs;
      // Kept up to date by the generator: walking 10,000 fragments here would cost what we saved.
      const lb = lbChainTotals(rs);
      const chains = rs.shared.chains.length + rs.fragmentTotals.chains + lb.chains;
      let rules = rs.fragmentTotals.rules + lb.rules;
      for (const c of rs.shared.chains) rules += c.rules.length;
      const elements = rs.fragmentTotals.elements + rs.clusterIPs.size;
      return { kind, chains, rules, elements };
    },
    async cleanup() {
      applied = undefined;
      await nft(deleteScript());
    },
  };
}
