import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CommandError } from './exec.js';
import { exitInfo, ForkServer } from './fork-server.js';

const server = new ForkServer();
const dir = mkdtempSync(join(tmpdir(), 'ksvc-fork-test-'));
after(() => {
  server.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('run: words arrive unchanged (quotes, $, backslashes, spaces), input reaches stdin, outputs come back', async () => {
  assert.deepEqual(await server.run('echo', ['a  b', "it's", '$HOME', 'back\\slash']), { stdout: "a  b it's $HOME back\\slash\n", stderr: '' });
  assert.deepEqual(await server.run('cat', [], "l1\n  l2 'q'\n\nl4\n"), { stdout: "l1\n  l2 'q'\n\nl4\n", stderr: '' });
  // Long input and a newline inside a word take the script-file path.
  assert.deepEqual(await server.run('cat', [], 'x'.repeat(5000)), { stdout: 'x'.repeat(5000), stderr: '' });
  assert.deepEqual(await server.run('sh', ['-c', 'echo "multi\nline"']), { stdout: 'multi\nline\n', stderr: '' });
  assert.deepEqual(await server.run('true', []), { stdout: '', stderr: '' });
});

test('run: a failure rejects with the exit code and stderr', async () => {
  await assert.rejects(server.run('sh', ['-c', 'echo oops >&2; exit 4']), (e: unknown) => e instanceof CommandError && e.code === 4 && e.stderr === 'oops\n');
});

test('run: concurrent commands get their own answers (slots are reused safely)', async () => {
  for (let round = 0; round < 3; round++) {
    const r = await Promise.all(Array.from({ length: 40 }, (_, i) => server.run('sh', ['-c', `sleep 0.0${i % 3}; echo ${i}`])));
    assert.deepEqual(r.map((x) => x.stdout), Array.from({ length: 40 }, (_, i) => `${i}\n`));
  }
});

test('start: own process group, only the given environment, output appended, real exit status', async () => {
  const log = join(dir, 'a.log');
  const keep = setInterval(() => {}, 1000); // the server does not keep the test process alive
  try {
    const p = await server.start({ argv: ['/bin/sh', '-c', 'echo "$GREETING $HOME"; read -r _ _ _ _ pg _ < /proc/$$/stat; echo $pg; exit 3'], env: { GREETING: 'hi', PATH: '/usr/bin:/bin' }, logFile: log });
    assert.deepEqual(await p.exited, { exitCode: 3 });
    const [greeting, pgid] = readFileSync(log, 'utf8').trim().split('\n');
    assert.equal(greeting, 'hi ');
    assert.equal(Number(pgid), p.pid);
    const q = await server.start({ argv: ['/bin/sh', '-c', "trap 'exit 0' TERM; echo up; while true; do sleep 0.05; done"], env: { PATH: '/usr/bin:/bin' }, logFile: log });
    while (!readFileSync(log, 'utf8').includes('up')) await new Promise((r) => setTimeout(r, 20));
    process.kill(-q.pid, 'SIGTERM');
    assert.deepEqual(await q.exited, { exitCode: 0 });
    const k = await server.start({ argv: ['/bin/sleep', '30'], env: {}, logFile: log });
    process.kill(k.pid, 'SIGKILL');
    assert.deepEqual(await k.exited, { exitCode: 137, signal: 'SIGKILL' });
  } finally {
    clearInterval(keep);
  }
});

test('start: environment values arrive exactly (quotes, $, backquotes, spaces at both ends, empty, a newline inside)', async () => {
  const log = join(dir, 'c.log');
  const keep = setInterval(() => {}, 1000);
  try {
    const tricky = { A: "it's  $HOME `x` \\ \"q\" ; | & ", B: '  lead and trail  ', C: '' };
    for (const [name, env] of [['plain', tricky], ['newline', { ...tricky, D: 'two\nlines' }]] as const) {
      const p = await server.start({ argv: ['/usr/bin/env'], env, logFile: log });
      assert.deepEqual(await p.exited, { exitCode: 0 }, name);
      const lines = Object.entries(env).flatMap(([k, v]) => `${k}=${v}`.split('\n'));
      assert.deepEqual(readFileSync(log, 'utf8').trimEnd().split('\n'), lines, name);
      rmSync(log);
    }
  } finally {
    clearInterval(keep);
  }
});

test('exitInfo: statuses above 128 are signal deaths', () => {
  assert.deepEqual(exitInfo(0), { exitCode: 0 });
  assert.deepEqual(exitInfo(143), { exitCode: 143, signal: 'SIGTERM' });
});

test('a fork server that dies: running processes still report, later commands are refused (the agent falls back)', async () => {
  const s = new ForkServer();
  const keep = setInterval(() => {}, 1000);
  try {
    const p = await s.start({ argv: ['/bin/sh', '-c', 'sleep 0.3; exit 5'], env: {}, logFile: join(dir, 'b.log') });
    process.kill(s.pid, 'SIGKILL');
    while (s.alive) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(await p.exited, { exitCode: 5 });
    await assert.rejects(s.run('true', []), /fork server has stopped/);
  } finally {
    clearInterval(keep);
    s.dispose();
  }
});

test('a fork server killed with its waiters: the container is followed through /proc and its end reported (status lost: 137)', async () => {
  const s = new ForkServer();
  const keep = setInterval(() => {}, 1000);
  try {
    const p = await s.start({ argv: ['/bin/sh', '-c', 'sleep 30'], env: {}, logFile: join(dir, 'c.log') });
    const stat = readFileSync(`/proc/${p.pid}/stat`, 'utf8');
    const waiter = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    assert.notEqual(waiter, s.pid, 'the container is a child of its waiter subshell');
    process.kill(waiter, 'SIGKILL');
    process.kill(s.pid, 'SIGKILL');
    while (s.alive) await new Promise((r) => setTimeout(r, 10));
    process.kill(-p.pid, 'SIGKILL');
    const never = new Promise((r) => setTimeout(() => r('not reported within 10 s'), 10_000).unref());
    assert.deepEqual(await Promise.race([p.exited, never]), { exitCode: 137, signal: 'SIGKILL' });
  } finally {
    clearInterval(keep);
    s.dispose();
  }
});
