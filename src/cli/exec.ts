// `kubesvc exec [--data-dir DIR] -- COMMAND [ARGS...]`: runs a command (kubectl, curl, dig, ...)
// inside the network namespace of the isolated cluster started from that data dir, with KUBECONFIG
// pointing at its kubeconfig. Exit code: the command's.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isolatedPidFile } from './isolated.js';
import { UsageError } from './usage-error.js';

export interface ExecArgs {
  dataDir: string;
  command: string[];
}

export function parseExecArgs(argv: string[], cwd: string): ExecArgs {
  let dataDir = '.kubesvc';
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      i++;
      break;
    }
    if (a === '--data-dir' && i + 1 < argv.length) dataDir = argv[++i];
    else if (a.startsWith('--data-dir=')) dataDir = a.slice('--data-dir='.length);
    else if (a.startsWith('-')) throw new UsageError(`unknown flag "${a}" for exec (usage: kubesvc exec [--data-dir DIR] -- COMMAND [ARGS...])`);
    else break;
  }
  const command = argv.slice(i);
  if (command.length === 0) throw new UsageError('kubesvc exec needs a command (usage: kubesvc exec [--data-dir DIR] -- COMMAND [ARGS...])');
  return { dataDir: resolve(cwd, dataDir), command };
}

/** The pid of the running isolated cluster of this data dir, or an error saying what to do. */
export function isolatedPid(dataDir: string): number {
  const file = isolatedPidFile(dataDir);
  const pid = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : NaN;
  if (!Number.isInteger(pid) || pid <= 0 || !existsSync(`/proc/${pid}/ns/net`)) {
    throw new Error(`no isolated cluster is running with data dir ${dataDir} (start one with: kubesvc up --isolated --data-dir ${dataDir})`);
  }
  return pid;
}

export function runExec(args: ExecArgs): Promise<number> {
  const pid = isolatedPid(args.dataDir);
  const child = spawn('nsenter', [`--net=/proc/${pid}/ns/net`, '--', ...args.command], {
    stdio: 'inherit',
    env: { ...process.env, KUBECONFIG: join(args.dataDir, 'kubeconfig') },
  });
  return new Promise((done) => {
    child.on('error', (e) => {
      process.stderr.write(`kubesvc exec: ${e.message}\n`);
      done(1);
    });
    child.on('exit', (code, signal) => done(code ?? (signal ? 128 : 0)));
  });
}
