// Small readers of what kubectl prints, shared by the e2e tests.
import assert from 'node:assert/strict';
import type { RunResult } from './cluster.js';

/** Asserts exit code 0 and returns stdout; on failure the message shows everything kubectl said. */
export function ok(r: RunResult, what = 'kubectl'): string {
  assert.equal(r.code, 0, `${what} failed (code ${r.code}):\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

/** Asserts a non-zero exit and returns stderr. */
export function fails(r: RunResult, what = 'kubectl'): string {
  assert.notEqual(r.code, 0, `${what} should have failed:\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stderr;
}

/** A table's lines split into cells on runs of 2+ spaces (kubectl pads columns with at least 3). */
export function table(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(/\s{2,}/));
}

/** The row whose first cell (or the cell at `col`) equals `name`. */
export function row(stdout: string, name: string, col = 0): string[] | undefined {
  return table(stdout).find((r) => r[col] === name);
}

export function json<T = Record<string, unknown>>(r: RunResult): T {
  return JSON.parse(ok(r)) as T;
}
