// A container's stdin (`stdin: true`) is a FIFO in its pod directory, so `kubectl attach` can feed
// it long after the container started. The agent keeps one descriptor open read-write on it (the
// "keeper"): while it is open the container's reads block instead of seeing end-of-file, and
// closing it is how `stdinOnce` delivers EOF after the first attach ends. The FIFO outlives an
// agent restart; the keeper does not (the container then sees EOF once, see README).
import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, write } from 'node:fs';
import { join } from 'node:path';

const keepers = new Map<string, number>();
/** stdinOnce FIFOs whose first attach has ended: later input is dropped until the container restarts. */
const spent = new Set<string>();

/** Where a container's stdin FIFO lives in its pod directory. */
export function stdinFifoPath(podDir: string, container: string): string {
  return join(podDir, `stdin-${container}`);
}

function ensureFifo(path: string): void {
  // Node has no mkfifo(3); coreutils' mkfifo is on every Linux the agent runs on.
  if (!existsSync(path)) execFileSync('mkfifo', ['-m', '600', path]);
}

/** Keepers of FIFOs that are gone (their pod was removed) are closed, so descriptors do not pile up. */
function sweep(): void {
  for (const [path, fd] of keepers) {
    if (existsSync(path)) continue;
    keepers.delete(path);
    spent.delete(path);
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }
}

function keeper(path: string): number {
  let fd = keepers.get(path);
  if (fd === undefined) {
    sweep();
    ensureFifo(path);
    // O_RDWR never blocks on a FIFO (Linux), and counts as a writer.
    fd = openSync(path, constants.O_RDWR);
    keepers.set(path, fd);
  }
  return fd;
}

/**
 * The descriptor to hand a starting container as fd 0: the FIFO opened read-only (blocking reads;
 * it opens at once because the keeper is a writer). The caller closes it after spawning.
 */
export function openContainerStdin(path: string): number {
  spent.delete(path);
  keeper(path);
  return openSync(path, constants.O_RDONLY);
}

/** Writes attach input into the container's stdin. */
export function writeStdin(path: string, data: Buffer): Promise<void> {
  if (spent.has(path)) return Promise.resolve();
  const fd = keeper(path);
  return new Promise((resolve, reject) => {
    let off = 0;
    const next = () =>
      write(fd, data, off, data.length - off, null, (err, n) => {
        if (err) return reject(err);
        off += n;
        if (off < data.length) next();
        else resolve();
      });
    next();
  });
}

/** Closes the keeper: once no other writer holds the FIFO, the container reads end-of-file. */
export function closeStdin(path: string): void {
  spent.add(path);
  const fd = keepers.get(path);
  if (fd === undefined) return;
  keepers.delete(path);
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
