// The nftables backend: generate the ruleset, diff it against what the kernel holds, and send one
// `nft -f -` transaction. After a refused transaction the next sync replaces the whole table.
import type { Backend, SyncStats } from '../backend.js';
import type { Exec } from '../exec.js';
import type { Ruleset } from './ir.js';
import { generateRuleset } from './ruleset.js';
import { deleteScript, fullScript, incrementalScript } from './transaction.js';

export function nftablesBackend(exec: Exec, nftCommand: readonly string[]): Backend {
  let applied: Ruleset | undefined;
  const nft = async (script: string) => {
    const r = await exec([...nftCommand, '-f', '-'], script);
    if (r.code !== 0) throw new Error(`nft -f failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(0, 5).join(' | ')}`);
  };
  return {
    name: 'nftables',
    async sync(state, facts, full): Promise<SyncStats> {
      const rs = generateRuleset(state, facts);
      let script = full || !applied ? undefined : incrementalScript(applied, rs);
      const kind = script === undefined ? 'full' : 'partial';
      script ??= fullScript(rs);
      try {
        if (script !== '') await nft(script);
      } catch (e) {
        applied = undefined;
        throw e;
      }
      applied = rs;
      let rules = 0;
      for (const ch of rs.chains.values()) rules += ch.rules.length;
      let elements = 0;
      for (const s of rs.sets.values()) elements += s.elements.length;
      return { kind, chains: rs.chains.size, rules, elements };
    },
    async cleanup() {
      applied = undefined;
      await nft(deleteScript());
    },
  };
}
