// `kubectl attach` (and `kubectl run -i/-t`): the container's live output, and its stdin.
// Output: our runtime writes a container's stdout and stderr into its log file, so attach follows
// that file and sends it on stdout (on a terminal that is all there is anyway). A container with
// `stdinOnce` — what `kubectl run -i` creates — gets its output from the start of the run: kubectl
// attaches only after seeing the pod Running, and a short command would otherwise have printed
// everything before anyone listened. Input goes into the stdin FIFO (stdin.ts); when kubectl closes
// stdin, a `stdinOnce` container reads end-of-file.
import { watch, type FSWatcher } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { successStatus, type StreamStatus } from './channels.js';
import type { StreamOptions } from './exec.js';
import type { StreamSession } from './session.js';
import { closeStdin, writeStdin } from './stdin.js';
import { containerNotFound, type ContainerTarget } from './target.js';
import { resizeTerminal } from './tty.js';

const POLL_MS = 100;

/** Follows a growing file from `offset` until `live()` turns false and everything is read. */
export function followFile(file: string, fromStart: boolean, live: () => boolean): Readable & { stop(): void } {
  let stopped = false;
  let offset = -1;
  const out = new Readable({ read() {} }) as Readable & { stop(): void };
  out.stop = () => (stopped = true);
  // inotify wakes the loop as soon as the container writes (an interactive shell echoes at once);
  // the poll is the fallback.
  let wake: (() => void) | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(file, () => wake?.());
    watcher.on('error', () => {});
  } catch {
    // no inotify: polling only
  }
  void (async () => {
    const size = async () => (await stat(file).catch(() => ({ size: 0 }))).size;
    offset = fromStart ? 0 : await size();
    while (!stopped) {
      // Read `live` first: output written before the process ended is then still picked up.
      const wasLive = live();
      const now = await size();
      if (now < offset) offset = 0; // rotated (copy + truncate)
      if (now > offset) {
        const fh = await open(file, 'r');
        const buf = Buffer.alloc(now - offset);
        const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
        await fh.close();
        offset += bytesRead;
        out.push(buf.subarray(0, bytesRead));
        continue;
      }
      if (!wasLive) break;
      await new Promise<void>((r) => {
        const t = setTimeout(r, POLL_MS);
        wake = () => (clearTimeout(t), r());
      });
      wake = undefined;
    }
    out.push(null);
  })()
    .catch((e: unknown) => out.destroy(e as Error))
    .finally(() => watcher?.close());
  return out;
}

/** Attach needs the container running — except a finished stdinOnce one (kubectl run's short command), whose whole output it shows. */
export function checkAttachable(target: ContainerTarget): boolean {
  const running = target.pid !== undefined && target.log.live();
  if (!running && !target.spec.stdinOnce) throw containerNotFound(target.spec.name);
  return running;
}

export function attachSession(target: ContainerTarget, opts: StreamOptions): StreamSession {
  const spec = target.spec;
  const running = checkAttachable(target);
  const file = target.log.files[target.log.files.length - 1];
  const output = followFile(file, spec.stdinOnce === true, () => target.log.live());
  let resolveDone!: (s: StreamStatus) => void;
  const finished = new Promise<StreamStatus>((r) => (resolveDone = r));
  output.once('end', () => resolveDone(successStatus()));
  output.once('error', () => resolveDone(successStatus()));
  // Writes are chained so that closing stdin waits for the input before it.
  let pending = Promise.resolve();
  const stdin =
    opts.stdin && spec.stdin && running
      ? {
          write: (d: Buffer) => void (pending = pending.then(() => writeStdin(target.stdinFifo, d)).catch(() => {})),
          end: () =>
            void pending.then(() => {
              if (spec.stdinOnce) closeStdin(target.stdinFifo);
            }),
        }
      : undefined;
  return {
    stdin,
    stdout: opts.stdout || opts.stderr ? output : (output.resume(), undefined),
    resize: spec.tty && target.pid ? (w, h) => void resizeTerminal(target.pid!, w, h) : undefined,
    finished,
    abort: () => {
      output.stop();
      resolveDone(successStatus());
    },
  };
}
