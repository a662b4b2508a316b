// `kubectl exec`: runs a command in the container's namespaces — mount (its resolv.conf and hosts),
// UTS (its hostname) and network — via `nsenter --target <container pid>`, in the container's
// working directory and with the environment the container started with (so the busybox applets
// of busybox/alpine images are on PATH). `-t` runs it on a pseudo-terminal (tty.ts).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { internalErrorStatus, exitCodeStatus, successStatus, type StreamStatus } from './channels.js';
import type { StreamSession } from './session.js';
import { containerNotFound, processEnv, type ContainerTarget } from './target.js';
import { resizeTerminal, underTerminal } from './tty.js';

export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export interface ExecOptions extends StreamOptions {
  command: string[];
}

/** nsenter argv that runs `command` inside the namespaces of process `pid`, in its working directory. */
export function enterArgs(pid: number, command: readonly string[]): string[] {
  return ['nsenter', '--target', String(pid), '--mount', '--uts', '--net', '--wd', '--', ...command];
}

/** Exec needs the container running (the kubelet's text otherwise). */
export function checkExecutable(target: ContainerTarget): number {
  if (!target.pid) throw containerNotFound(target.spec.name);
  return target.pid;
}

export function execSession(target: ContainerTarget, opts: ExecOptions): StreamSession {
  const pid = checkExecutable(target);
  const env = processEnv(pid);
  if (opts.tty) env.TERM ??= 'xterm';
  const inner = enterArgs(pid, opts.command);
  const argv = opts.tty ? underTerminal(inner) : inner;
  // Under a terminal `script` must keep a readable stdin (at EOF it would end the session).
  const child = spawn(argv[0], argv.slice(1), { env, stdio: [opts.stdin || opts.tty ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  const finished = new Promise<StreamStatus>((resolve) => {
    child.on('error', (e) => resolve(internalErrorStatus(`error executing command in container: ${e.message}`)));
    child.on('close', (code, signal) => {
      const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
      resolve(exitCode === 0 ? successStatus() : exitCodeStatus(opts.command, exitCode));
    });
  });
  child.stdin?.on('error', () => {}); // the command may exit without reading its input
  const stdin = opts.stdin && child.stdin ? { write: (d: Buffer) => void child.stdin!.write(d), end: () => child.stdin!.end() } : undefined;
  const stdout = child.stdout!;
  const stderr = child.stderr!;
  return {
    stdin,
    stdout: opts.stdout ? stdout : (stdout.resume(), undefined),
    // On a terminal everything arrives on stdout; script writes nothing of its own to stderr.
    stderr: opts.stderr && !opts.tty ? stderr : (stderr.resume(), undefined),
    resize: opts.tty ? (w, h) => void resizeTerminal(child.pid ?? 0, w, h) : undefined,
    finished,
    abort: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
