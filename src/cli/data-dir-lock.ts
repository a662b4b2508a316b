// One kubesvc per data dir: two servers writing one store would corrupt it. The lock is a pid file
// created exclusively; a pid file left by a process that no longer runs (kill -9, power loss) is
// taken over, so a crash never blocks the next start.
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface DataDirLock {
  release(): Promise<void>;
}

export class DataDirInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`data dir ${dir} is in use by another kubesvc (pid ${pid}); stop it or use another --data-dir`);
    this.name = 'DataDirInUseError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else — still alive.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function lockDataDir(dir: string, pid = process.pid): Promise<DataDirLock> {
  const path = join(dir, 'kubesvc.pid');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o600);
      try {
        await fh.writeFile(`${pid}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      return {
        async release() {
          // Only remove our own lock (a takeover may have replaced it).
          const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
          if (owner === pid) await rm(path, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== pid && alive(owner)) throw new DataDirInUseError(dir, owner);
      await rm(path, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`cannot lock data dir ${dir}: the pid file keeps changing`);
}
