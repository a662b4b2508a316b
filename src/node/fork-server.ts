// A fork server: one small long-lived `/bin/sh` that starts the agent's host commands and container
// processes. Forking costs time in proportion to the parent's memory (page tables are copied), and
// the agent shares its process with the API server and controllers: at ~100-150 MiB of RSS every
// spawn() blocked the event loop for 10-20 ms, ~5 spawns per pod. The shell is ~1 MiB, so its forks
// are cheap, and they happen off the agent's event loop.
//
// Protocol: the agent writes the command as a shell script `<dir>/<slot>.sh` (so arguments need no
// escaping on the wire; for a start it defines a function `main` that the waiter reads before it
// forks), then the line `<id> run|start <slot>` on the server's stdin. Slots are scratch-file
// names reused once free (a run's after its output is read, a start's once its pid is known), so
// nothing is unlinked per command. The server answers on stdout with single-line writes (atomic
// on a pipe): `<id> p <pid>` once a started process exists, `<id> x <status>` when a command or
// process has ended (`wait`'s status: 128 + signal number for a signal death). A started
// process's waiter is a forked subshell: it is the process's parent, so the exit status is real,
// and it outlives the server's read loop (an agent stop), so a process started before `close()`
// still reports its exit while this agent runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { processStartTime, type ContainerProcess, type ExitInfo } from './container-process.js';
import { CommandError, type RunResult, type Runner } from './exec.js';
import { findOnPath } from './host-check.js';

const SERVER = [
  'd=$1',
  'o() { r=$?; f=0; g=0; [ -s "$d/$s.out" ] && f=1; [ -s "$d/$s.err" ] && g=1; echo "$id x $r $f $g"; }',
  'while IFS=" " read -r id kind s cmd; do',
  '  case $kind in',
  '  run) ( . "$d/$s.sh" >"$d/$s.out" 2>"$d/$s.err"; o ) & ;;',
  '  line) ( eval "$cmd" >"$d/$s.out" 2>"$d/$s.err"; o ) & ;;',
  '  start) ( . "$d/$s.sh"; main & echo "$id p $!"; wait $!; echo "$id x $?" ) & ;;',
  '  esac',
  'done',
].join('\n');

const SIGNAL_NAMES: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM' };

/** Single-quotes one word for sh. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `wait`'s status as the runtime reports it: above 128 is a signal death. */
export function exitInfo(status: number): ExitInfo {
  const sig = status > 128 ? SIGNAL_NAMES[status - 128] : undefined;
  return sig ? { exitCode: status, signal: sig } : { exitCode: status };
}

export interface StartSpec {
  argv: readonly string[];
  /**
   * The whole environment of the process (nothing is inherited), which then also gets a session
   * of its own (`env -i` and `setsid` before argv). Undefined: argv does both itself (the
   * container-entry helper) and is exec'd as it is.
   */
  env?: Readonly<Record<string, string>>;
  /** stdout and stderr are appended to it. */
  logFile: string;
}

/** How often a container whose waiter is gone is looked for in /proc. */
const PROC_POLL_MS = 500;

interface Pending {
  onPid?: (pid: number, base: string) => void;
  /** A run's slot is reused once the promise it returns has settled (its output has been read). */
  onExit: (status: number, base: string, outputs: string) => void | Promise<void>;
}

export class ForkServer {
  private readonly dir: string;
  private readonly child: ChildProcess;
  private readonly pending = new Map<string, { onPid?: (pid: number) => void; onExit: (status: number, outputs: string) => void; started?: boolean; pid?: number }>();
  private seq = 0;
  private slots = 0;
  private readonly freeSlots: number[] = [];
  private open = true;
  private closing = false;

  private readonly tools = { env: findOnPath('env', process.env.PATH ?? '') ?? 'env', setsid: findOnPath('setsid', process.env.PATH ?? '') ?? 'setsid' };

  /** `parentDir` holds the scratch directory (the agent uses its data dir, so nothing is left in /tmp). */
  constructor(parentDir = tmpdir()) {
    this.dir = mkdtempSync(join(parentDir, 'fork-'));
    // Its own session: a signal meant for the agent's process group does not reach it.
    this.child = spawn('/bin/sh', ['-c', SERVER, 'ksvc-fork-server', this.dir], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    this.child.stdin?.on('error', () => (this.open = false));
    this.child.on('exit', () => {
      this.open = false;
      // After close(): nothing reads the scratch files any more (started processes have theirs open).
      if (this.closing) rmSync(this.dir, { recursive: true, force: true });
      // Died unasked: requests it had not read yet would never be answered. Subshells it forked
      // still answer (they hold the pipe), so wait a little before giving up on the rest.
      else setTimeout(() => this.failPending(), 2000).unref();
    });
    this.child.on('error', () => (this.open = false));
    createInterface({ input: this.child.stdout! }).on('line', (line) => this.onLine(line));
    // Neither the server nor its pipes keep the agent's process alive (containers run detached),
    // except while a command runs or a start waits for its pid (hold/release).
    this.child.unref();
    this.pipes(false);
  }

  private holds = 0;

  private pipes(ref: boolean): void {
    for (const p of [this.child.stdout, this.child.stdin] as unknown as ({ ref?: () => void; unref?: () => void } | null)[]) {
      if (ref) p?.ref?.();
      else p?.unref?.();
    }
  }

  private hold(): () => void {
    if (this.holds++ === 0) this.pipes(true);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.holds === 0) this.pipes(false);
    };
  }

  /** The server shell's pid. */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** close() or dispose() was called (as opposed to the server dying). */
  get closed(): boolean {
    return this.closing;
  }

  get alive(): boolean {
    return this.open;
  }

  private failPending(): void {
    for (const [id, p] of this.pending) {
      if (p.started) {
        // Its waiter normally still runs and reports the exit; if the waiter was killed too, only
        // /proc can tell when the container ends (its status is lost, as for an adopted process).
        if (p.pid !== undefined) this.followByProc(id, p, p.pid);
        continue;
      }
      this.pending.delete(id);
      p.onExit(255, '00');
    }
  }

  private followByProc(id: string, p: { onExit: (status: number, outputs: string) => void }, pid: number): void {
    const startTime = processStartTime(pid);
    const t = setInterval(() => {
      if (this.pending.get(id) !== p) return clearInterval(t); // the waiter reported it
      if (startTime !== undefined && processStartTime(pid) === startTime) return;
      clearInterval(t);
      this.pending.delete(id);
      p.onExit(137, '00');
    }, PROC_POLL_MS);
    t.unref();
  }

  private onLine(line: string): void {
    const [id, kind, value, out, err] = line.split(' ');
    const p = this.pending.get(id);
    if (!p) return;
    if (kind === 'p') {
      p.started = true;
      p.pid = Number(value);
      p.onPid?.(Number(value));
    }
    else if (kind === 'x') {
      this.pending.delete(id);
      p.onExit(Number(value), `${out ?? ''}${err ?? ''}`);
    }
  }

  private async submit(kind: 'run' | 'start' | 'line', script: string, input: string | undefined, p: Pending): Promise<string> {
    const id = String(++this.seq);
    // Scratch files live in reused slots (overwritten, never unlinked): no file churn per command.
    const slot = this.freeSlots.pop() ?? ++this.slots;
    const freeSlot = () => void this.freeSlots.push(slot);
    const base = join(this.dir, String(slot));
    try {
      // Synchronously: a few hundred bytes cost less than an asynchronous write's hand-offs.
      if (kind !== 'line') writeFileSync(`${base}.sh`, script);
      if (input !== undefined) writeFileSync(`${base}.in`, input);
    } catch (e) {
      freeSlot();
      throw e;
    }
    if (!this.open) {
      freeSlot();
      throw new Error('the fork server has stopped');
    }
    const release = this.hold();
    this.pending.set(id, {
      // A start's slot is free once the waiter has read its script (it reports the pid after).
      onPid: (pid) => {
        release();
        freeSlot();
        p.onPid?.(pid, base);
      },
      onExit: (status, outputs) => {
        release();
        void Promise.resolve(p.onExit(status, base, outputs)).finally(() => kind !== 'start' && freeSlot());
      },
    });
    this.child.stdin!.write(`${id} ${kind} ${slot}${kind === 'line' ? ` ${script}` : ''}\n`);
    return base;
  }

  /** A host command: the Runner contract (stdout and stderr collected, CommandError on failure). */
  readonly run: Runner = (cmd, args, input) =>
    new Promise<RunResult>((resolve, reject) => {
      const words = [cmd, ...args].map(shQuote).join(' ');
      const lines = input?.split('\n') ?? [];
      if (lines[lines.length - 1] === '') lines.pop();
      // Short commands travel on the request line itself (input as printf's arguments): no script
      // or input file to write. Longer ones, or any with a newline inside a word, use the files.
      const inline = `${lines.length ? `printf '%s\\n' ${lines.map(shQuote).join(' ')} | ` : ''}${words}${lines.length ? '' : ' </dev/null'}`;
      const useLine = inline.length < 2000 && !inline.includes('\n');
      // Sourced by the server's subshell, where $d and $s name this request's files.
      const script = `${words} <${input === undefined ? '/dev/null' : '"$d/$s.in"'}\n`;
      // Only non-empty outputs are read (the server says which: "<out><err>" flags).
      const onExit = async (status: number, base: string, outputs: string) => {
        const read = (suffix: string, flag: string | undefined) => (flag === '1' ? readFile(`${base}.${suffix}`, 'utf8').catch(() => '') : '');
        const [stdout, stderr] = await Promise.all([read('out', outputs[0]), read('err', outputs[1])]);
        if (status === 0) resolve({ stdout, stderr });
        else reject(new CommandError([cmd, ...args].join(' '), status, stderr, stdout));
      };
      (useLine ? this.submit('line', inline, undefined, { onExit }) : this.submit('run', script, input, { onExit })).catch(reject);
    });

  /**
   * Starts a detached process (a session and process group of its own, stdin from /dev/null,
   * output appended to the log file). Resolves once its pid is known.
   */
  start(spec: StartSpec): Promise<ContainerProcess> {
    // Absolute paths: the new environment's PATH (busybox applets first) must not pick these.
    const prefix = spec.env ? [this.tools.env, '-i', ...Object.entries(spec.env).map(([k, v]) => `${k}=${v}`), this.tools.setsid] : [];
    // The waiter reads the script (a function) before it forks, so the file may go once the pid is known.
    const script = `main() {\n  exec ${[...prefix, ...spec.argv].map(shQuote).join(' ')} </dev/null >>${shQuote(spec.logFile)} 2>&1\n}\n`;
    let resolveExit!: (e: ExitInfo) => void;
    const exited = new Promise<ExitInfo>((r) => (resolveExit = r));
    return new Promise<ContainerProcess>((resolve, reject) => {
      let started = false;
      this.submit('start', script, undefined, {
        onPid: (pid) => {
          started = true;
          resolve({ pid, exited });
        },
        onExit: (status) => (started ? resolveExit(exitInfo(status)) : reject(new Error('the fork server stopped before the process started'))),
      }).catch(reject);
    });
  }

  /**
   * Ends the read loop. Processes started earlier keep reporting their exit through their
   * waiters while this process runs.
   */
  close(): void {
    this.closing = true;
    if (!this.open) return;
    this.open = false;
    this.child.stdin?.end();
  }

  /** close() and remove the scratch directory (cluster shutdown). */
  dispose(): void {
    this.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
