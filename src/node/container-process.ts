// Starting a container's process in its pod sandbox, and following it until it exits. A container
// is `unshare --mount --uts` (its own view of /etc/resolv.conf and /etc/hosts, its own hostname)
// around `nsenter --net=<pod netns>`, around a tiny sh prologue that bind-mounts the pod's files,
// sets the hostname and execs the program. Every step execs, so the pid we get is the program's.
// Processes run detached with their output appended to a log file: they outlive an agent restart.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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

/** `unshare` arguments that run `program` inside the sandbox (also used for exec probes). */
export function sandboxArgs(sandbox: Sandbox, nodeNetnsPath: string | undefined, workingDir: string | undefined, program: string[]): string[] {
  const netns = sandbox.netnsPath ?? nodeNetnsPath;
  const inner = ['/bin/sh', '-c', PROLOGUE, 'sh', sandbox.resolvConf, sandbox.hostsFile, sandbox.hostname, workingDir || '/', ...program];
  return ['--mount', '--uts', '--propagation', 'private', '--', ...(netns ? ['nsenter', `--net=${netns}`, '--'] : []), ...inner];
}

export const launchProcess: ProcessLauncher = async (spec) => {
  const base = spec.builtin ? builtinArgv(spec.builtin, spec.argv.slice(1)) : spec.argv;
  const program = spec.tty ? underTerminal(base) : base;
  const args = sandboxArgs(spec.sandbox, spec.nodeNetnsPath, spec.workingDir, program);
  const fd = openSync(spec.logFile, 'a');
  const stdinFd = spec.stdinFifo ? openContainerStdin(spec.stdinFifo) : undefined;
  try {
    const child = spawn('unshare', args, { env: spec.env, stdio: [stdinFd ?? 'ignore', fd, fd], detached: true });
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
