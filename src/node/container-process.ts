// Starting a container's process in its pod sandbox, and following it until it exits. Entering the
// sandbox means: a session of its own, its own mount and UTS namespaces (its own view of
// /etc/resolv.conf and /etc/hosts, its own hostname), the pod's network namespace, the pod's files
// bind-mounted, the working directory, exactly the container's environment, then exec of the
// program. The C helper in enter/ does all of that in one process; without a C compiler the same
// is an exec chain: `env -i` → `setsid` → `unshare --mount --uts` → `nsenter --net=<pod netns>` →
// a tiny sh prologue. Either way every step execs, so the pid we get is the program's.
// Processes run detached with their output appended to a log file: they outlive an agent restart.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { enterHelper, prepareEnterHelper } from './enter/helper.js';
import { findOnPath } from './host-check.js';
import type { Sandbox } from './sandbox.js';
import { openContainerStdin } from './streams/stdin.js';
import { underTerminal } from './streams/tty.js';

export interface LaunchSpec {
  sandbox: Sandbox;
  argv: string[];
  /** A built-in program (images/builtin.ts) instead of argv[0]. */
  builtin?: string;
  env: Record<string, string>;
  workingDir?: string;
  logFile: string;
  /** Network namespace of hostNetwork pods (the node's); undefined = the agent's own. */
  nodeNetnsPath?: string;
  /** `stdin: true`: fd 0 is this FIFO, which attach feeds (streams/stdin.ts). */
  stdinFifo?: string;
  /** `tty: true`: the program runs on a pseudo-terminal (streams/tty.ts). */
  tty?: boolean;
}

export interface ExitInfo {
  /** Exit code, or 128 + signal number for a signal death (as container runtimes report). */
  exitCode: number;
  signal?: string;
}

export interface ContainerProcess {
  pid: number;
  /** Settles when the process is gone. */
  exited: Promise<ExitInfo>;
}

export type ProcessLauncher = (spec: LaunchSpec) => Promise<ContainerProcess>;

const PROLOGUE = [
  'mount --bind "$1" /etc/resolv.conf 2>/dev/null || true',
  'mount --bind "$2" /etc/hosts 2>/dev/null || true',
  'echo "$3" > /proc/sys/kernel/hostname',
  'cd "$4" || exit 1',
  'shift 4',
  'exec "$@"',
].join('\n');

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };

/** argv for a built-in program: this Node, and tsx when running from source. */
export function builtinArgv(kind: string, rest: string[]): string[] {
  const self = fileURLToPath(import.meta.url);
  const fromSource = self.endsWith('.ts');
  const script = fileURLToPath(new URL(`./images/builtin.${fromSource ? 'ts' : 'js'}`, import.meta.url));
  // The container's working directory is its own, so tsx is named by absolute URL, not package name.
  return [process.execPath, ...(fromSource ? ['--import', import.meta.resolve('tsx')] : []), script, kind, ...rest];
}

/** `unshare` arguments that run `program` inside the sandbox: the exec chain, when there is no helper. */
export function sandboxArgs(sandbox: Sandbox, nodeNetnsPath: string | undefined, workingDir: string | undefined, program: string[]): string[] {
  const netns = sandbox.netnsPath ?? nodeNetnsPath;
  const inner = ['/bin/sh', '-c', PROLOGUE, 'sh', sandbox.resolvConf, sandbox.hostsFile, sandbox.hostname, workingDir || '/', ...program];
  return ['--mount', '--uts', '--propagation', 'private', '--', ...(netns ? ['nsenter', `--net=${netns}`, '--'] : []), ...inner];
}

export interface SandboxCommand {
  argv: string[];
  /**
   * Set when the caller must still do two steps itself (the exec chain): start argv[0] in a new
   * session with exactly this environment. Undefined when argv does everything (the helper), or
   * when no environment was given (the caller's is kept).
   */
  env?: Record<string, string>;
}

// Absolute: the container's environment (busybox applets first on its PATH) must not pick these.
const tools = { unshare: findOnPath('unshare', process.env.PATH ?? '') ?? 'unshare' };

/**
 * The one place that says how a program enters a sandbox: container starts (fork server and
 * direct spawn) and exec probes/hooks all run what this returns, so they cannot drift apart.
 * With `env`, the program gets exactly that environment and a session of its own (containers);
 * without, it keeps the caller's environment (probes). Call prepareEnterHelper() first, or the
 * exec chain is used.
 */
export function sandboxCommand(sandbox: Sandbox, nodeNetnsPath: string | undefined, workingDir: string | undefined, program: string[], env?: Readonly<Record<string, string>>): SandboxCommand {
  const helper = enterHelper();
  if (!helper) return { argv: [tools.unshare, ...sandboxArgs(sandbox, nodeNetnsPath, workingDir, program)], ...(env ? { env: { ...env } } : {}) };
  const netns = sandbox.netnsPath ?? nodeNetnsPath ?? '';
  const envWords = env ? Object.entries(env).map(([k, v]) => `${k}=${v}`) : undefined;
  return { argv: [helper, netns, sandbox.resolvConf, sandbox.hostsFile, sandbox.hostname, workingDir || '/', envWords ? String(envWords.length) : '-', ...(envWords ?? []), ...program] };
}

export const launchProcess: ProcessLauncher = async (spec) => {
  await prepareEnterHelper();
  const base = spec.builtin ? builtinArgv(spec.builtin, spec.argv.slice(1)) : spec.argv;
  const program = spec.tty ? underTerminal(base) : base;
  const cmd = sandboxCommand(spec.sandbox, spec.nodeNetnsPath, spec.workingDir, program, spec.env);
  const fd = openSync(spec.logFile, 'a');
  const stdinFd = spec.stdinFifo ? openContainerStdin(spec.stdinFifo) : undefined;
  try {
    // detached: a session of its own (the chain's; the helper makes one itself too).
    const child = spawn(cmd.argv[0], cmd.argv.slice(1), { env: cmd.env ?? {}, stdio: [stdinFd ?? 'ignore', fd, fd], detached: true });
    const exited = new Promise<ExitInfo>((resolve) => {
      child.on('exit', (code, signal) => resolve(signal ? { exitCode: 128 + (SIGNALS[signal] ?? 0), signal } : { exitCode: code ?? 0 }));
      child.on('error', () => resolve({ exitCode: 128 }));
    });
    await new Promise<void>((resolve) => {
      child.once('spawn', resolve);
      child.once('error', () => resolve());
    });
    child.unref();
    return { pid: child.pid ?? -1, exited };
  } finally {
    closeSync(fd);
    if (stdinFd !== undefined) closeSync(stdinFd);
  }
};

/** Kernel start time of a process (field 22 of /proc/<pid>/stat): tells a pid apart from a reused one. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Follows a process we did not start (adopted after an agent restart) by polling /proc. */
export function adoptProcess(pid: number, startTime: string, pollMs = 500): ContainerProcess | undefined {
  if (processStartTime(pid) !== startTime) return undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    const t = setInterval(() => {
      if (processStartTime(pid) !== startTime) {
        clearInterval(t);
        // Not our child: its exit status is lost, as for a container the runtime lost track of.
        resolve({ exitCode: 137 });
      }
    }, pollMs);
    t.unref();
  });
  return { pid, exited };
}

/** Signals the container's whole process group (the program and anything it forked). */
export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * A container is its whole process tree: once its main process has ended, whatever it left in
 * its process group is killed (a runtime's pid namespace ends the same way), and this resolves when
 * the group is empty or after `timeoutMs`.
 */
export async function reapGroup(pid: number, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      return; // no process left in the group
    }
    if (Date.now() > end) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}
