// The helper's build cache: built once per source, reused, rebuilt when the source changes, and a
// missing compiler is one warning and no helper (containers then use the exec chain).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../util/log.js';
import { findOnPath } from '../host-check.js';
import type { Logger } from '../../util/log.js';
import { buildHelper, findCheckout } from './helper.js';

const buildEnterHelper = (dir: string | undefined, logger: Logger, cc?: string) => buildHelper('kubesvc-enter', dir, logger, cc);

const hasCC = findOnPath('cc', process.env.PATH ?? '') !== undefined;

function fakeCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ksvc-enter-build-'));
  mkdirSync(join(dir, 'src/node/enter'), { recursive: true });
  for (const f of ['kubesvc-enter.c', 'kubesvc-podnet.c']) copyFileSync(join(findCheckout()!, 'src/node/enter', f), join(dir, 'src/node/enter', f));
  return dir;
}

test('findCheckout finds the C source from this folder and from a compiled copy of it', () => {
  const root = findCheckout();
  assert.ok(root);
  assert.equal(findCheckout(join(root, 'dist/src/node/enter')), root);
  assert.equal(findCheckout('/'), undefined);
});

test('the helper is built once per source into <checkout>/.cache and rebuilt when the source changes', { skip: !hasCC && 'needs a C compiler' }, async (t) => {
  const dir = fakeCheckout();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const lines: string[] = [];
  const logger = createLogger({ sink: (l) => lines.push(l) });
  const first = await buildEnterHelper(dir, logger);
  assert.ok(first && first.startsWith(join(dir, '.cache/kubesvc-enter/kubesvc-enter-')), first);
  assert.ok(statSync(first).mode & 0o100);
  // It runs: a bad environment count is refused with its own message.
  assert.throws(() => execFileSync(first, ['', '/x', '/y', 'h', '/', 'nope', 'true'], { stdio: 'pipe' }), /bad environment count/);
  const mtime = statSync(first).mtimeMs;
  assert.equal(await buildEnterHelper(dir, logger), first);
  assert.equal(statSync(first).mtimeMs, mtime, 'taken from the cache, not rebuilt');
  appendFileSync(join(dir, 'src/node/enter/kubesvc-enter.c'), '/* changed */\n');
  const second = await buildEnterHelper(dir, logger);
  assert.ok(second && second !== first);
  // No temporary files left behind.
  assert.deepEqual(readdirSync(join(dir, '.cache/kubesvc-enter')).filter((f) => f.endsWith('.tmp')), []);
  // The pod-network helper builds beside it.
  const podnet = await buildHelper('kubesvc-podnet', dir, logger);
  assert.ok(podnet && podnet.startsWith(join(dir, '.cache/kubesvc-enter/kubesvc-podnet-')), podnet);
  assert.equal(lines.filter((l) => l.includes('level=warn')).length, 0);
});

test('without a compiler: no helper and one warning that says what happens and what to install', async (t) => {
  const dir = fakeCheckout();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const lines: string[] = [];
  const path = await buildEnterHelper(dir, createLogger({ sink: (l) => lines.push(l) }), join(dir, 'no-such-cc'));
  assert.equal(path, undefined);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /level=warn .*could not build .*apt-get install gcc libc6-dev.*exec chain/);
  assert.deepEqual(readdirSync(join(dir, '.cache/kubesvc-enter')), []);
});

test('without the source: no helper and one warning', async () => {
  const lines: string[] = [];
  assert.equal(await buildEnterHelper(undefined, createLogger({ sink: (l) => lines.push(l) })), undefined);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /kubesvc-enter: source src\/node\/enter\/kubesvc-enter\.c not found/);
});
