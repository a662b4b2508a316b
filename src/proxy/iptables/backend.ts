// The iptables backend: one `iptables-restore --noflush` per sync (atomic per table), then the
// jumps from the built-in chains are ensured (`-C`, else `-I`), as kube-proxy does. Chains of
// ours that the kernel holds but the state no longer needs are deleted in the same restore.
import type { Backend, SyncStats } from '../backend.js';
import type { Exec } from '../exec.js';
import { chainsInSave, generateIptables, HOOKS, OWNED_CHAIN, restoreScript, type Table } from './ruleset.js';

export interface IptablesCommands {
  /** e.g. ["iptables"] or ["ip", "netns", "exec", "ns1", "iptables"] */
  readonly iptables: readonly string[];
  readonly restore: readonly string[];
  readonly save: readonly string[];
}

export function iptablesBackend(exec: Exec, cmd: IptablesCommands): Backend {
  let known: Record<Table, Set<string>> | undefined;

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
      const kind = full || !known ? 'full' : 'partial';
      try {
        // After a failure or periodically, learn what the kernel really holds.
        if (kind === 'full') known = await existing();
        const rs = generateIptables(state, facts);
        await run([...cmd.restore, '-w', '5', '--noflush'], restoreScript(rs, known!));
        await ensureHooks();
        known = { nat: new Set(rs.tables.nat.keys()), filter: new Set(rs.tables.filter.keys()) };
        let rules = 0;
        for (const t of Object.values(rs.tables)) for (const r of t.values()) rules += r.length;
        return { kind, chains: rs.tables.nat.size + rs.tables.filter.size, rules, elements: 0 };
      } catch (e) {
        known = undefined;
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
      known = undefined;
    },
  };
}
