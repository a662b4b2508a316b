// Running host tools (ip, nft, nsenter). Injected (habit 6) so sandbox logic can be tested with a
// recorder, and so a test can put the whole node inside a network namespace of its own.
import { spawn } from 'node:child_process';

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs `cmd args`, feeding `input` on stdin; rejects with stderr in the message on a non-zero exit. */
export type Runner = (cmd: string, args: readonly string[], input?: string) => Promise<RunResult>;

export class CommandError extends Error {
  constructor(
    readonly cmd: string,
    readonly code: number | null,
    readonly stderr: string,
    /** What the command wrote to stdout before failing (exec probes and hooks report it). */
    readonly stdout = '',
  ) {
    super(`${cmd} failed (exit ${code}): ${stderr.trim()}`);
  }
}

export const hostRunner: Runner = (cmd, args, input) =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ stdout, stderr }) : reject(new CommandError([cmd, ...args].join(' '), code, stderr, stdout))));
    // A command that exits without reading its input must not crash us with EPIPE.
    child.stdin?.on('error', () => {});
    child.stdin?.end(input);
  });
