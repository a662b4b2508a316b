// Helpers for benchmarks that run two versions of the proxy code side by side: load a version's
// modules from a source tree, give it a throwaway network namespace, and run nft there measuring
// nft's own wall and CPU time (rusage of the child, microsecond resolution — GNU time's 10 ms
// steps are coarser than one change now costs).
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export type TrackerMod = typeof import('../../src/proxy/change-tracker.js');
export type RulesetMod = typeof import('../../src/proxy/nftables/ruleset.js');
export type TxMod = typeof import('../../src/proxy/nftables/transaction.js');
export type FixturesMod = typeof import('../../src/proxy/testdata/fixtures.js');
export type Generated = ReturnType<RulesetMod['generateRuleset']>;

export interface ProxyModules {
  readonly tracker: TrackerMod;
  readonly ruleset: RulesetMod;
  readonly tx: TxMod;
  readonly fx: FixturesMod;
}

/** The proxy modules of the tree at `root` (this repository, or e.g. a `git archive` of an old commit). */
export async function loadModules(root: string): Promise<ProxyModules> {
  const imp = <T>(p: string) => import(pathToFileURL(resolve(root, p)).href) as Promise<T>;
  return {
    tracker: await imp<TrackerMod>('src/proxy/change-tracker.ts'),
    ruleset: await imp<RulesetMod>('src/proxy/nftables/ruleset.ts'),
    tx: await imp<TxMod>('src/proxy/nftables/transaction.ts'),
    fx: await imp<FixturesMod>('src/proxy/testdata/fixtures.ts'),
  };
}

// Runs argv[1:] and prints the child's user, system and wall time in ms.
// The difference of two readings: the interpreter here starts with children's time already counted.
const RUSAGE = `import resource, subprocess, sys, time
b = resource.getrusage(resource.RUSAGE_CHILDREN)
a = time.perf_counter(); r = subprocess.run(sys.argv[1:]); w = time.perf_counter() - a
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{(u.ru_utime - b.ru_utime) * 1000:.3f} {(u.ru_stime - b.ru_stime) * 1000:.3f} {w * 1000:.3f}", file=sys.stderr); sys.exit(r.returncode)`;

export interface NftRun {
  /** nft's own wall time (from its start to its exit, no namespace entering). */
  readonly wallMs: number;
  /** user + system CPU. */
  readonly cpuMs: number;
}

/**
 * A throwaway network namespace. Commands enter it with `nsenter --net` (one setns + exec: the
 * proxy itself runs nft directly in the namespace it lives in); `ip netns exec` would add ~8 ms
 * here (a mount namespace and a /sys remount per call).
 */
export class BenchNetns {
  readonly name = `ksvc-t-${randomBytes(3).toString('hex')}-bench`;
  private created = false;

  create(): void {
    execFileSync('ip', ['netns', 'add', this.name]);
    this.created = true;
  }

  private enter(args: readonly string[]): string[] {
    return ['nsenter', `--net=/run/netns/${this.name}`, ...args];
  }

  run(args: readonly string[], input?: string): string {
    const [cmd, ...rest] = this.enter(args);
    const r = spawnSync(cmd, rest, { input, encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  /** `nft -f -` with `script`, wall clock of the whole call (what a caller waits). */
  nft(script: string): number {
    const t0 = performance.now();
    this.run(['nft', '-f', '-'], script);
    return performance.now() - t0;
  }

  /** nft (default `-f -`, the script on stdin) measured from the inside: its own wall and CPU time. */
  nftMeasured(script: string, args: readonly string[] = ['-f', '-']): NftRun {
    const r = spawnSync('python3', ['-c', RUSAGE, ...this.enter(['nft', ...args])], { input: script, encoding: 'utf8', maxBuffer: 1 << 30 });
    const last = r.stderr.trim().split('\n').pop() ?? '';
    if (r.status !== 0) throw new Error(`nft ${args.join(' ')}: ${r.stderr}`);
    const [u, s, w] = last.split(' ').map(Number);
    return { wallMs: w, cpuMs: u + s };
  }

  destroy(): void {
    if (this.created) execFileSync('ip', ['netns', 'del', this.name]);
    this.created = false;
  }
}

export const serviceIP = (i: number, a: number): string => `10.${a}.${(i >> 8) & 255}.${i & 255}`;
export const percentile = (xs: readonly number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
export const median = (xs: readonly number[]): number => percentile(xs, 0.5);
