// The container-entry helper (kubesvc-enter.c), compiled on demand with the host's C compiler and
// cached by the hash of its source, so an edited source is rebuilt and an unchanged one is built
// once per checkout. The cache is `<checkout>/.cache/kubesvc-enter/` (git-ignored), not the
// cluster's data dir: every test and `kubesvc up` makes a fresh data dir, and a compile costs
// ~0.3 s of CPU; the checkout belongs to whoever installed kubesvc, so nobody else can plant a
// binary there that root would then run (a shared /tmp could). Builds go to a temporary name and
// are renamed into place, so agents starting at the same time never run a half-written file.
//
// Without a compiler, or when the build fails, the agent logs one line and containers start
// through the exec chain (container-process.ts): slower, same behaviour. KUBESVC_ENTER=chain
// forces that (tests of the fallback).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, type Logger } from '../../util/log.js';

const SOURCE = 'src/node/enter/kubesvc-enter.c';
/** Tried in order: static saves the dynamic loader's work at every container start (~0.1 ms of CPU); not every libc ships libc.a. */
const FLAG_SETS: readonly (readonly string[])[] = [['-O2', '-static'], ['-O2']];

/** The checkout holding the C source: found upwards from this module (src/node/enter/ from source, dist/src/node/enter/ when compiled). */
export function findCheckout(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, SOURCE))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

export function forcedChain(): boolean {
  return process.env.KUBESVC_ENTER === 'chain';
}

let built: string | undefined;
let building: Promise<string | undefined> | undefined;

/** The helper's path once prepared; undefined before, without one, or when the chain is forced. */
export function enterHelper(): string | undefined {
  return forcedChain() ? undefined : built;
}

function compile(cc: string, flags: readonly string[], src: string, out: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(cc, [...flags, '-o', out, src], { encoding: 'utf8', timeout: 60_000 }, (err, _stdout, stderr) =>
      resolve(err ? (stderr.trim().split('\n').pop() || err.message) : undefined),
    );
  });
}

/** Finds the helper in `<checkout>/.cache/kubesvc-enter/` or builds it there; undefined (and one logged line) when it cannot. */
export async function buildEnterHelper(checkout: string | undefined, logger: Logger, cc = process.env.CC || 'cc'): Promise<string | undefined> {
  const slow = 'containers start through the exec chain (env, setsid, unshare, nsenter, sh; ~5 ms more CPU each)';
  if (!checkout) {
    logger.warn(`container-entry helper: source ${SOURCE} not found above ${dirname(fileURLToPath(import.meta.url))}; ${slow}`);
    return undefined;
  }
  const src = join(checkout, SOURCE);
  const hash = createHash('sha256').update(readFileSync(src)).update(JSON.stringify(FLAG_SETS)).digest('hex').slice(0, 16);
  const dir = join(checkout, '.cache', 'kubesvc-enter');
  const path = join(dir, `kubesvc-enter-${hash}`);
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    // not built yet
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    logger.warn(`container-entry helper: cannot create ${dir} (${(e as Error).message}); ${slow}`);
    return undefined;
  }
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  let why: string | undefined;
  for (const flags of FLAG_SETS) {
    why = await compile(cc, flags, src, tmp);
    if (why === undefined) break;
  }
  if (why !== undefined) {
    rmSync(tmp, { force: true });
    logger.warn(`container-entry helper: ${cc} could not build ${src} (${why}; on Debian/Ubuntu: apt-get install gcc libc6-dev); ${slow}`);
    return undefined;
  }
  renameSync(tmp, path);
  logger.info('container-entry helper built', { path });
  return path;
}

/**
 * Finds the helper in the cache or builds it, once per process; resolves to its path, or
 * undefined when containers are to use the exec chain. Never rejects.
 */
export function prepareEnterHelper(logger: Logger = createLogger({ fields: { component: 'node-agent' } }), checkout = findCheckout()): Promise<string | undefined> {
  if (forcedChain()) return Promise.resolve(undefined);
  building ??= buildEnterHelper(checkout, logger).catch((e: unknown) => {
    logger.warn(`container-entry helper: ${(e as Error).message}; containers start through the exec chain`);
    return undefined;
  }).then((p) => (built = p));
  return building;
}
