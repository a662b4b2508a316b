// Running nft and conntrack. Injected (habit 6): unit tests script the results; kernel tests point
// the commands into a throwaway network namespace with `ip netns exec`.
import { spawn } from 'node:child_process';

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs argv[0] with the other args, feeding `stdin`; never rejects for a non-zero exit. */
export type Exec = (argv: readonly string[], stdin?: string) => Promise<ExecResult>;

export const spawnExec: Exec = (argv, stdin) =>
  new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(stdin ?? '');
  });
