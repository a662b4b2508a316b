// The iptables backend: one `iptables-restore --noflush` per sync (atomic per table). A full sync
// (the first, after a failure, periodically) rewrites every chain of ours, deletes the ones the
// kernel holds but the state no longer needs, then ensures the jumps from the built-in chains
// (`-C`, else `-I`). A partial sync, as kube-proxy's, names only the chains whose rules changed
// since the last successful restore and skips the jump checks (ten `iptables` runs).
import type { Backend, SyncStats } from '../backend.js';
import type { Exec } from '../exec.js';
import { chainsInSave, generateIptables, HOOKS, OWNED_CHAIN, partialRestoreScript, restoreScript, type IptablesRuleset, type Table } from './ruleset.js';

export interface IptablesCommands {
  /** e.g. ["iptables"] or ["ip", "netns", "exec", "ns1", "iptables"] */
  readonly iptables: readonly string[];
  readonly restore: readonly string[];
  readonly save: readonly string[];
}

export function iptablesBackend(exec: Exec, cmd: IptablesCommands): Backend {
  // What the kernel holds: the ruleset of the last successful restore (undefined = unknown).
  let applied: IptablesRuleset | undefined;

  const run = async (argv: readonly string[], stdin?: string) => {
    const r = await exec(argv, stdin);
    if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(0, 5).join(' | ')}`);
    return r.stdout;
  };
  const existing = async (): Promise<Record<Table, Set<string>>> => ({
    nat: chainsInSave(await run([...cmd.save, '-t', 'nat'])),
    filter: chainsInSave(await run([...cmd.save, '-t', 'filter'])),
  });
  const ensureHooks = async () => {
    for (const h of HOOKS) {
      const c = await exec([...cmd.iptables, '-w', '-t', h.table, '-C', h.chain, ...h.spec]);
      if (c.code !== 0) await run([...cmd.iptables, '-w', '-t', h.table, '-I', h.chain, '1', ...h.spec]);
    }
  };

  return {
    name: 'iptables',
    async sync(state, facts, full): Promise<SyncStats> {
      const kind = full || !applied ? 'full' : 'partial';
      try {
        const rs = generateIptables(state, facts);
        if (kind === 'full' || !applied) {
          // After a failure or periodically, learn what the kernel really holds.
          await run([...cmd.restore, '-w', '5', '--noflush'], restoreScript(rs, await existing()));
          await ensureHooks();
        } else {
          const script = partialRestoreScript(applied, rs);
          if (script !== '') await run([...cmd.restore, '-w', '5', '--noflush'], script);
        }
        applied = rs;
        let rules = 0;
        for (const t of Object.values(rs.tables)) for (const r of t.values()) rules += r.length;
        return { kind, chains: rs.tables.nat.size + rs.tables.filter.size, rules, elements: 0 };
      } catch (e) {
        applied = undefined;
        throw e;
      }
    },
    async cleanup() {
      for (const h of HOOKS) await exec([...cmd.iptables, '-w', '-t', h.table, '-D', h.chain, ...h.spec]);
      const have = await existing();
      const lines: string[] = [];
      for (const t of ['filter', 'nat'] as const) {
        const ours = [...have[t]].filter((c) => OWNED_CHAIN.test(c)).sort();
        lines.push(`*${t}`, ...ours.map((c) => `:${c} - [0:0]`), ...ours.map((c) => `-X ${c}`), 'COMMIT');
      }
      await run([...cmd.restore, '-w', '5', '--noflush'], lines.join('\n') + '\n');
      applied = undefined;
    },
  };
}
