// `kubectl exec`: runs a command in the container's namespaces — mount (its resolv.conf and hosts),
// UTS (its hostname) and network — via `nsenter --target <container pid>`, in the container's
// working directory and with the environment the container started with (so the busybox applets
// of busybox/alpine images are on PATH). `-t` runs it on a pseudo-terminal (tty.ts); kubectl sends
// its window size as soon as the stream opens, so a terminal command waits for that first size
// (briefly) and starts with it — `stty size` or a full-screen program never sees a 0x0 window.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { PassThrough } from 'node:stream';
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

/** How long a terminal command waits for the client's first window size before starting without. */
const FIRST_SIZE_WAIT_MS = 500;

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
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let child: ChildProcess | undefined;
  let aborted = false;
  const early: Buffer[] = [];
  let stdinEnded = false;
  let resolveDone!: (s: StreamStatus) => void;
  const finished = new Promise<StreamStatus>((r) => (resolveDone = r));

  const start = (size?: { width: number; height: number }) => {
    if (child || aborted) return;
    const argv = opts.tty ? underTerminal(inner, size) : inner;
    // Under a terminal `script` must keep a readable stdin (at EOF it would end the session).
    const c = spawn(argv[0], argv.slice(1), { env, stdio: [opts.stdin || opts.tty ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    child = c;
    c.on('error', (e) => resolveDone(internalErrorStatus(`error executing command in container: ${e.message}`)));
    c.on('close', (code, signal) => {
      const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
      resolveDone(exitCode === 0 ? successStatus() : exitCodeStatus(opts.command, exitCode));
    });
    c.stdout!.pipe(stdout);
    // On a terminal everything arrives on stdout; script writes nothing of its own to stderr.
    c.stderr!.pipe(stderr);
    c.stdin?.on('error', () => {}); // the command may exit without reading its input
    if (opts.stdin && c.stdin) {
      for (const d of early.splice(0)) c.stdin.write(d);
      if (stdinEnded) c.stdin.end();
    }
  };
  if (opts.tty) setTimeout(() => start(), FIRST_SIZE_WAIT_MS).unref();
  else start();

  return {
    stdin: opts.stdin
      ? {
          write: (d: Buffer) => (child?.stdin ? void child.stdin.write(d) : void early.push(d)),
          end: () => (child?.stdin ? void child.stdin.end() : void (stdinEnded = true)),
        }
      : undefined,
    stdout: opts.stdout ? stdout : (stdout.resume(), undefined),
    stderr: opts.stderr && !opts.tty ? stderr : (stderr.resume(), undefined),
    resize: opts.tty ? (width, height) => (child ? void resizeTerminal(child.pid ?? 0, width, height) : start({ width, height })) : undefined,
    finished,
    abort: () => {
      aborted = true;
      if (!child) {
        stdout.end();
        stderr.end();
        resolveDone(successStatus());
      } else if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
