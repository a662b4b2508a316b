// Terminals. Node has no pty of its own, so a `tty: true` container or `exec -t` runs under
// util-linux `script`, which allocates a pseudo-terminal, runs the command on it and relays it to
// its own stdin/stdout (pipes we hold). A resize (kubectl's channel 4) sets the window size of
// that terminal with `stty -F`; the kernel then sends SIGWINCH to the program in the foreground.
import { execFile } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';

/** Quotes argv for `sh -c` (what `script -c` runs). */
export function shellJoin(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * argv that runs `program` on a fresh pseudo-terminal; exits with the program's code (--return).
 * With a size, the terminal gets it before the program starts (no 0x0 window at start-up).
 */
export function underTerminal(program: readonly string[], size?: { width: number; height: number }): string[] {
  const cmd = size ? `stty rows ${size.height} cols ${size.width} 2>/dev/null; exec ${shellJoin(program)}` : shellJoin(program);
  return ['script', '--quiet', '--return', '--command', cmd, '/dev/null'];
}

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The terminal `script` (pid) runs its program on: fd 0 of one of its children. */
export function terminalOf(scriptPid: number): string | undefined {
  for (const child of children(scriptPid)) {
    try {
      const dev = readlinkSync(`/proc/${child}/fd/0`);
      if (dev.startsWith('/dev/pts/')) return dev;
    } catch {
      // gone
    }
  }
  return undefined;
}

/**
 * Sets the window size of the terminal `script` (pid) created. The first resize arrives before
 * `script` has forked, so it is retried for a short while.
 */
export async function resizeTerminal(scriptPid: number, width: number, height: number, tries = 20): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    const dev = terminalOf(scriptPid);
    if (dev) {
      return new Promise((resolve) => execFile('stty', ['-F', dev, 'rows', String(height), 'cols', String(width)], (err) => resolve(!err)));
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
