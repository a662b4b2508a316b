// Dispatches `kubesvc <command>` and maps errors to exit codes once, at the edge (habit 8):
// usage errors → 2 with a hint, anything else → 1.
import { type ExecArgs, parseExecArgs } from './exec.js';
import { MAIN_USAGE, UP_USAGE } from './help.js';
import { parseUpArgs } from './up-flags.js';
import type { UpConfig } from './up-config.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './usage-error.js';
import { versionText } from './version.js';

export interface CliIO {
  cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Runs `kubesvc up` with a translated config (the real wiring lives in main.ts). */
  up(config: UpConfig): Promise<number>;
  /** Runs `kubesvc exec` (a command inside an isolated cluster's network namespace). */
  exec?(args: ExecArgs): Promise<number>;
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'up': {
        const args = parseUpArgs(rest, io.cwd);
        if (args.help) {
          io.stdout(UP_USAGE);
          return EXIT_OK;
        }
        return await io.up(args.config);
      }
      case 'exec':
        if (!io.exec) throw new Error('kubesvc exec is not available here');
        return await io.exec(parseExecArgs(rest, io.cwd));
      case 'version':
      case '--version':
        if (rest.length > 0) throw new UsageError(`"version" takes no arguments`);
        io.stdout(versionText());
        return EXIT_OK;
      case 'help':
      case '--help':
      case '-h':
        if (rest[0] === 'up') io.stdout(UP_USAGE);
        else if (rest[0] === undefined || rest[0] === 'version' || rest[0] === 'help') io.stdout(MAIN_USAGE);
        else throw new UsageError(`unknown command "${rest[0]}"`);
        return EXIT_OK;
      case undefined:
        io.stderr(MAIN_USAGE);
        return EXIT_USAGE;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      const hint = command === 'up' ? 'kubesvc help up' : 'kubesvc help';
      io.stderr(`kubesvc: ${e.message}\nRun "${hint}" for usage.\n`);
      return EXIT_USAGE;
    }
    io.stderr(`kubesvc: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_FAILURE;
  }
}
