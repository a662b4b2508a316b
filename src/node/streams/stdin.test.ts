// The stdin FIFO as a container sees it: reads block until attach writes, input arrives in order,
// and closing the keeper (stdinOnce) gives end-of-file; later input to a spent FIFO is dropped.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { closeStdin, openContainerStdin, stdinFifoPath, writeStdin } from './stdin.js';

test('a process reading the FIFO gets attach input, then EOF when stdin closes', { skip: process.platform !== 'linux' && 'Linux FIFO semantics' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ksvc-stdin-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = stdinFifoPath(dir, 'c');
  const fd = openContainerStdin(fifo);
  const child = spawn('sh', ['-c', 'read a; echo "first:$a"; cat; echo eof'], { stdio: [fd, 'pipe', 'ignore'] });
  closeSync(fd);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  // Nothing written yet: the reader waits instead of seeing EOF.
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(out, '');
  await writeStdin(fifo, Buffer.from('one\n'));
  await writeStdin(fifo, Buffer.from('two\n'));
  closeStdin(fifo);
  await writeStdin(fifo, Buffer.from('dropped\n'));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  assert.equal(code, 0);
  assert.equal(out, 'first:one\ntwo\neof\n');
});
