import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DataDirInUseError, lockDataDir } from './data-dir-lock.js';

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'kubesvc-lock-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a live owner keeps the data dir; release frees it', () =>
  withDir(async (dir) => {
    const lock = await lockDataDir(dir);
    assert.equal(await readFile(join(dir, 'kubesvc.pid'), 'utf8'), `${process.pid}\n`);
    // Another process (pretend pid 1, always alive) cannot take it... and we cannot take pid 1's.
    await writeFile(join(dir, 'kubesvc.pid'), '1\n');
    await assert.rejects(lockDataDir(dir), (e: unknown) => e instanceof DataDirInUseError && e.pid === 1 && /in use by another kubesvc \(pid 1\)/.test(e.message));
    await lock.release(); // not ours any more: left alone
    assert.ok(existsSync(join(dir, 'kubesvc.pid')));
    await writeFile(join(dir, 'kubesvc.pid'), `${process.pid}\n`);
    await lock.release();
    assert.equal(existsSync(join(dir, 'kubesvc.pid')), false);
  }));

test('a pid file left by a dead process is taken over', () =>
  withDir(async (dir) => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    await writeFile(join(dir, 'kubesvc.pid'), `${dead}\n`);
    const lock = await lockDataDir(dir);
    assert.equal(await readFile(join(dir, 'kubesvc.pid'), 'utf8'), `${process.pid}\n`);
    await lock.release();
  }));
