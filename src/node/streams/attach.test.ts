// followFile, the core of attach: from the end (a plain attach) or from the start (stdinOnce),
// everything written while the container is live, then the end once it is not.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { followFile } from './attach.js';

const collect = (r: NodeJS.ReadableStream) =>
  new Promise<string>((resolve, reject) => {
    let s = '';
    r.on('data', (d: Buffer) => (s += d.toString()));
    r.on('end', () => resolve(s));
    r.on('error', reject);
  });

test('follows appended output until the container stops; from the start or from the end', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ksvc-follow-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, '0.log');
  writeFileSync(file, 'before\n');
  let live = true;
  const fromEnd = followFile(file, false, () => live);
  const fromStart = followFile(file, true, () => live);
  const [a, b] = [collect(fromEnd), collect(fromStart)];
  await new Promise((r) => setTimeout(r, 150));
  appendFileSync(file, 'one\n');
  await new Promise((r) => setTimeout(r, 150));
  appendFileSync(file, 'two\n');
  live = false; // written before the stop: still delivered
  assert.equal(await a, 'one\ntwo\n');
  assert.equal(await b, 'before\none\ntwo\n');
});
