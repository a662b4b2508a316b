// The applet directory of the busybox images (`<dataDir>/busybox-bin`, first on their PATH): a
// symlink to the host's busybox per applet, except where Debian's smaller build differs from the
// Docker busybox image in ways users type: `wget` is a script that adds -T/--timeout
// (wget-script.ts), `nc`/`netcat` run the netcat-1.10-compatible built-in (nc.ts). A stamp file
// holds a hash of everything the directory should contain, so a new kubesvc (other scripts) or a
// new busybox (other applets) rebuilds it at agent start; entries are replaced one by one by
// rename, so pods running meanwhile always find a complete file.
import { createHash } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { builtinArgv } from '../container-process.js';
import { hostRunner } from '../exec.js';
import { findOnPath } from '../host-check.js';
import { wgetScript } from './wget-script.js';

export const STAMP = '.kubesvc-stamp';

/** What a directory entry is: a symlink to busybox, or an executable script. */
export type Entry = { link: string } | { script: string };

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The entries for a busybox at `busybox` with these applets. */
export function appletEntries(busybox: string, applets: readonly string[], tools: { timeout?: string; nc: readonly string[] }): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  for (const a of applets) if (a && !a.includes('/')) entries.set(a, { link: busybox });
  entries.set('wget', { script: wgetScript(busybox, tools.timeout ?? busybox, !tools.timeout) });
  const nc = { script: `#!${busybox} sh\n# kubesvc: netcat-1.10-compatible nc (src/node/images/nc.ts).\nexec ${tools.nc.map(q).join(' ')} "$@"\n` };
  entries.set('nc', nc);
  entries.set('netcat', nc);
  return entries;
}

export function stampOf(entries: ReadonlyMap<string, Entry>): string {
  const h = createHash('sha256');
  for (const [name, e] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) h.update(`${name}\0${JSON.stringify(e)}\n`);
  return h.digest('hex');
}

/** Makes `dir` hold exactly `entries` (unless its stamp says it already does). */
export async function syncAppletDir(dir: string, entries: ReadonlyMap<string, Entry>): Promise<void> {
  const stamp = stampOf(entries);
  if ((await readFile(join(dir, STAMP), 'utf8').catch(() => '')) === stamp) return;
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.new-${process.pid}`);
  for (const [name, e] of entries) {
    const path = join(dir, name);
    if ('link' in e && (await readlink(path).catch(() => undefined)) === e.link) continue;
    // A leftover temp entry may be a symlink to busybox: never write through it.
    await rm(tmp, { force: true });
    if ('link' in e) await symlink(e.link, tmp);
    else {
      await writeFile(tmp, e.script, { flag: 'wx', mode: 0o755 });
      await chmod(tmp, 0o755);
    }
    await rename(tmp, path);
  }
  for (const name of await readdir(dir)) if (name !== STAMP && !entries.has(name)) await rm(join(dir, name), { force: true, recursive: true });
  await writeFile(join(dir, STAMP), stamp);
}

/** `<dataDir>/busybox-bin`, up to date; undefined when the host has no busybox. */
export async function busyboxDir(dataDir: string): Promise<string | undefined> {
  const path = process.env.PATH ?? '';
  const bb = findOnPath('busybox', path);
  if (!bb) return undefined;
  const dir = join(dataDir, 'busybox-bin');
  const { stdout } = await hostRunner(bb, ['--list']);
  await syncAppletDir(dir, appletEntries(bb, stdout.split('\n'), { timeout: findOnPath('timeout', path), nc: builtinArgv('nc', []) }));
  return dir;
}
