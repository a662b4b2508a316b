// Reads the argv of `kubesvc up` with node:util parseArgs (and the --config file, which flags
// override) and hands the strings to the one translation step (upConfigFromFlags). parseArgs' own
// errors become UsageErrors (exit code 2).
import { parseArgs } from 'node:util';
import { upFlagsFromFile } from './config-file.js';
import { DNS_STRING_FLAGS } from './dns-flags.js';
import { NODE_BOOLEAN_FLAGS, NODE_STRING_FLAGS } from './node-flags.js';
import { type UpConfig, type UpFlags, upConfigFromFlags } from './up-config.js';
import { UsageError } from './usage-error.js';

const STRING_FLAGS = [
  'data-dir',
  'listen',
  'service-cidr',
  'service-node-port-range',
  'store',
  'etcd-endpoints',
  'log-level',
  'etcd-compaction-interval',
  'controllers',
  'load-balancer-cidr',
  'proxy-mode',
  'proxy-netns',
] as const satisfies readonly (keyof UpFlags)[];

export type UpArgs = { help: true } | { help: false; config: UpConfig };

export function parseUpArgs(argv: string[], cwd: string): UpArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
    config: { type: 'string' },
  };
  for (const f of STRING_FLAGS) options[f] = { type: 'string' };
  for (const f of NODE_STRING_FLAGS) options[f] = { type: 'string' };
  for (const f of DNS_STRING_FLAGS) options[f] = { type: 'string' };
  for (const f of NODE_BOOLEAN_FLAGS) options[f] = { type: 'boolean' };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(parseArgsMessage(e));
  }
  if (parsed.values.help === true) return { help: true };
  if (parsed.positionals.length > 0) {
    throw new UsageError(`unexpected argument "${parsed.positionals[0]}" (kubesvc up takes only flags)`);
  }
  const flags: UpFlags = typeof parsed.values.config === 'string' ? upFlagsFromFile(parsed.values.config) : {};
  for (const f of STRING_FLAGS) {
    const v = parsed.values[f];
    if (typeof v === 'string') flags[f] = v;
  }
  for (const f of NODE_STRING_FLAGS) {
    const v = parsed.values[f];
    if (typeof v === 'string') flags[f] = v;
  }
  for (const f of NODE_BOOLEAN_FLAGS) if (parsed.values[f] === true) flags[f] = 'true';
  for (const f of DNS_STRING_FLAGS) {
    const v = parsed.values[f];
    if (typeof v === 'string') flags[f] = v;
  }
  return { help: false, config: upConfigFromFlags(flags, cwd) };
}

/** parseArgs messages mention internals ("To specify an option argument starting with a dash..."); keep the first sentence. */
function parseArgsMessage(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('. ')[0].replace(/\.$/, '');
}
