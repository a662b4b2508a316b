// The node's two C helpers, compiled on demand with the host's C compiler and cached by the hash
// of their source, so an edited source is rebuilt and an unchanged one is built once per checkout:
// - kubesvc-enter.c: puts a process into a pod's sandbox and execs the container's program
//   (container starts, exec probes and hooks; container-process.ts sandboxCommand).
// - kubesvc-podnet.c: the pods' side of the network (address, links up, default route) for a
//   whole burst in one process (sandbox.ts).
// The cache is `<checkout>/.cache/kubesvc-enter/` (git-ignored), not the cluster's data dir:
// every test and `kubesvc up` makes a fresh data dir, and a compile costs ~0.3 s of CPU; the
// checkout belongs to whoever installed kubesvc, so nobody else can plant a binary there that root
// would then run (a shared /tmp could). Builds go to a temporary name and are renamed into place,
// so agents starting at the same time never run a half-written file.
//
// Without a compiler, or when a build fails, the agent logs one line and does what it did before
// the helpers: the exec chain (env, setsid, unshare, nsenter, sh) and one `ip -n` per pod. Slower,
// same behaviour. KUBESVC_ENTER=chain forces that (tests of the fallback).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, type Logger } from '../../util/log.js';

export type HelperName = 'kubesvc-enter' | 'kubesvc-podnet';
const SOURCE_DIR = 'src/node/enter';
const source = (name: HelperName) => `${SOURCE_DIR}/${name}.c`;
/** Tried in order: static saves the dynamic loader's work at every container start (~0.1 ms of CPU); not every libc ships libc.a. */
const FLAG_SETS: readonly (readonly string[])[] = [['-O2', '-static'], ['-O2']];

/** The checkout holding the C sources: found upwards from this module (src/node/enter/ from source, dist/src/node/enter/ when compiled). */
export function findCheckout(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, source('kubesvc-enter')))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

export function forcedChain(): boolean {
  return process.env.KUBESVC_ENTER === 'chain';
}

const built = new Map<HelperName, string | undefined>();
const building = new Map<HelperName, Promise<string | undefined>>();

/** The entry helper's path once prepared; undefined before, without one, or when the chain is forced. */
export function enterHelper(): string | undefined {
  return forcedChain() ? undefined : built.get('kubesvc-enter');
}

/** Likewise the pod-network helper's. */
export function podnetHelper(): string | undefined {
  return forcedChain() ? undefined : built.get('kubesvc-podnet');
}

function compile(cc: string, flags: readonly string[], src: string, out: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(cc, [...flags, '-o', out, src], { encoding: 'utf8', timeout: 60_000 }, (err, _stdout, stderr) =>
      resolve(err ? (stderr.trim().split('\n').pop() || err.message) : undefined),
    );
  });
}

const FALLBACK: Record<HelperName, string> = {
  'kubesvc-enter': 'containers start through the exec chain (env, setsid, unshare, nsenter, sh; ~5 ms more CPU each)',
  'kubesvc-podnet': "pods' network ends are set up by one `ip -n` per pod (~3 ms more CPU each)",
};

/** Finds a helper in `<checkout>/.cache/kubesvc-enter/` or builds it there; undefined (and one logged line) when it cannot. */
export async function buildHelper(name: HelperName, checkout: string | undefined, logger: Logger, cc = process.env.CC || 'cc'): Promise<string | undefined> {
  const slow = FALLBACK[name];
  if (!checkout) {
    logger.warn(`${name}: source ${source(name)} not found above ${dirname(fileURLToPath(import.meta.url))}; ${slow}`);
    return undefined;
  }
  const src = join(checkout, source(name));
  const hash = createHash('sha256').update(readFileSync(src)).update(JSON.stringify(FLAG_SETS)).digest('hex').slice(0, 16);
  const dir = join(checkout, '.cache', 'kubesvc-enter');
  const path = join(dir, `${name}-${hash}`);
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    // not built yet
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    logger.warn(`${name}: cannot create ${dir} (${(e as Error).message}); ${slow}`);
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
    logger.warn(`${name}: ${cc} could not build ${src} (${why}; on Debian/Ubuntu: apt-get install gcc libc6-dev); ${slow}`);
    return undefined;
  }
  renameSync(tmp, path);
  logger.info(`${name} helper built`, { path });
  return path;
}

/**
 * Finds a helper in the cache or builds it, once per process; resolves to its path, or undefined
 * when the old way is to be used. Never rejects.
 */
export function prepareHelper(name: HelperName, logger: Logger = createLogger({ fields: { component: 'node-agent' } }), checkout = findCheckout()): Promise<string | undefined> {
  if (forcedChain()) return Promise.resolve(undefined);
  let p = building.get(name);
  if (!p) {
    p = buildHelper(name, checkout, logger)
      .catch((e: unknown) => {
        logger.warn(`${name}: ${(e as Error).message}; ${FALLBACK[name]}`);
        return undefined;
      })
      .then((path) => (built.set(name, path), path));
    building.set(name, p);
  }
  return p;
}

export const prepareEnterHelper = (logger?: Logger): Promise<string | undefined> => prepareHelper('kubesvc-enter', logger);
export const preparePodnetHelper = (logger?: Logger): Promise<string | undefined> => prepareHelper('kubesvc-podnet', logger);
