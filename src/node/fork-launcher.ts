// The container launcher on top of the fork server (fork-server.ts): the same process tree as
// launchProcess (sandboxCommand: the enter helper, or the exec chain; detached, output appended to
// the log), started by the small shell instead of by a fork of the agent. A launch the fork server
// cannot do (it has stopped, or the spec asks for something it does not know, such as a stdin)
// goes to the fallback launcher.
import { builtinArgv, launchProcess, sandboxCommand, type LaunchSpec, type ProcessLauncher } from './container-process.js';
import { prepareEnterHelper } from './enter/helper.js';
import type { ForkServer } from './fork-server.js';

const KNOWN: ReadonlySet<string> = new Set(['sandbox', 'argv', 'builtin', 'env', 'workingDir', 'logFile', 'nodeNetnsPath']);

/** True when every field set in the spec is one this launcher implements. */
export function forkable(spec: LaunchSpec): boolean {
  return Object.entries(spec).every(([k, v]) => v === undefined || KNOWN.has(k));
}

export function forkServerLauncher(server: () => ForkServer | undefined, fallback: ProcessLauncher = launchProcess): ProcessLauncher {
  // Built (or found in the cache) while the agent starts; the first containers wait for it.
  const helper = prepareEnterHelper();
  return async (spec) => {
    await helper;
    const forks = server();
    if (!forks?.alive || !forkable(spec)) return fallback(spec);
    const program = spec.builtin ? builtinArgv(spec.builtin, spec.argv.slice(1)) : spec.argv;
    const cmd = sandboxCommand(spec.sandbox, spec.nodeNetnsPath, spec.workingDir, program, spec.env);
    return forks.start({ argv: cmd.argv, env: cmd.env, logFile: spec.logFile });
  };
}
