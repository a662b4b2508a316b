// The wget script's argument handling, against a stand-in busybox that prints what wget would get,
// then the real Debian busybox on loopback (a page, a server that never answers, a closed port).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { findOnPath } from '../host-check.js';
import { wgetScript } from './wget-script.js';

const busybox = findOnPath('busybox', process.env.PATH ?? '');
const timeout = findOnPath('timeout', process.env.PATH ?? '');
const dir = mkdtempSync(join(tmpdir(), 'ksvc-wget-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  out: string;
  err: string;
}
const run = (file: string, args: string[]): Promise<Run> =>
  new Promise((resolve) => {
    execFile(file, args, (e, out, err) => resolve({ code: e ? ((e as { code?: number }).code ?? -1) : 0, out, err }));
  });

// Stand-ins: "busybox sh" runs the real shell, "busybox wget" prints its arguments one per line;
// "timeout" prints its limit and runs the rest.
let fake = '';
before(() => {
  if (!busybox) return;
  const bb = join(dir, 'fake-busybox');
  writeFileSync(bb, `#!/bin/sh\nif [ "$1" = sh ]; then shift; exec ${busybox} sh "$@"; fi\nshift\nfor a; do echo "[$a]"; done\n`);
  const to = join(dir, 'fake-timeout');
  writeFileSync(to, `#!/bin/sh\necho "timeout $1 $2 $3 $4"\nshift 4\nexec "$@"\n`);
  fake = join(dir, 'wget-fake');
  writeFileSync(fake, wgetScript(bb, to));
  chmodSync(bb, 0o755);
  chmodSync(to, 0o755);
  chmodSync(fake, 0o755);
});

const seen = async (...args: string[]) => {
  const r = await run(fake, args);
  assert.equal(r.code, 0, r.err);
  return r.out.trim().split('\n');
};

test('every form of the timeout option is taken out and becomes the limit', { skip: !busybox && 'needs busybox' }, async () => {
  for (const form of [['-T', '2'], ['-T2'], ['--timeout=2'], ['--timeout', '2'], ['--time=2'], ['--ti', '2']]) {
    assert.deepEqual(await seen('-qO-', ...form, 'http://web'), ['timeout --foreground -s ALRM 2', '[-qO-]', '[http://web]'], form.join(' '));
  }
  // Bundled after value-less options; the rest of the cluster is kept.
  assert.deepEqual(await seen('-qT2', 'http://web'), ['timeout --foreground -s ALRM 2', '[-q]', '[http://web]']);
  assert.deepEqual(await seen('-qST', '3', 'http://web'), ['timeout --foreground -s ALRM 3', '[-qS]', '[http://web]']);
  // The last one counts, as getopt's; leading zeros are a number; 0 means no limit (no timeout run).
  assert.deepEqual(await seen('-T', '5', '--timeout=007', 'u'), ['timeout --foreground -s ALRM 7', '[u]']);
  assert.deepEqual(await seen('-T', '0', 'u'), ['[u]']);
});

test('everything else reaches wget unchanged, values of other options included', { skip: !busybox && 'needs busybox' }, async () => {
  assert.deepEqual(await seen('--spider', '-S', 'http://web'), ['[--spider]', '[-S]', '[http://web]']);
  // -O and --header take the next argument even when it looks like -T.
  assert.deepEqual(await seen('-O', '-T', '--header', '--timeout=1', 'u'), ['[-O]', '[-T]', '[--header]', '[--timeout=1]', '[u]']);
  assert.deepEqual(await seen('-U', 'agent with spaces', '--user-agent', "it's", 'u'), ['[-U]', '[agent with spaces]', '[--user-agent]', "[it's]", '[u]']);
  assert.deepEqual(await seen('-qO-', '--post-data=a=b', '-t', '3', '-nv', 'u'), ['[-qO-]', '[--post-data=a=b]', '[-t]', '[3]', '[-nv]', '[u]']);
  // After --, nothing is an option.
  assert.deepEqual(await seen('--', '-T', '2'), ['[--]', '[-T]', '[2]']);
  // --t is ambiguous (timeout, tries): busybox's getopt says so, not us.
  assert.deepEqual(await seen('--t=2', 'u'), ['[--t=2]', '[u]']);
});

test("busybox's texts for numbers it refuses", { skip: !busybox && 'needs busybox' }, async () => {
  assert.deepEqual(await run(fake, ['-T', 'x', 'u']), { code: 1, out: '', err: "wget: invalid number 'x'\n" });
  assert.deepEqual(await run(fake, ['--timeout=-1', 'u']), { code: 1, out: '', err: "wget: invalid number '-1'\n" });
  assert.deepEqual(await run(fake, ['-T', '2147483648', 'u']), { code: 1, out: '', err: 'wget: number 2147483648 is not in 0..2147483647 range\n' });
});

test('the real busybox wget: the page with -T, busybox text and status on a timeout, a refusal passed through', { skip: (!busybox || !timeout) && 'needs busybox and coreutils timeout' }, async (t) => {
  const real = join(dir, 'wget');
  writeFileSync(real, wgetScript(busybox!, timeout!));
  chmodSync(real, 0o755);
  const web = createServer((_req, res) => res.end('hello\n'));
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  // Accepts connections and never answers.
  const mute = createTcpServer(() => {});
  await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
  const closed = createTcpServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const closedPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  t.after(() => {
    web.close();
    mute.close();
  });
  const url = (s: { address(): unknown }) => `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;

  assert.deepEqual(await run(real, ['-qO-', '-T', '2', url(web)]), { code: 0, out: 'hello\n', err: '' });
  assert.deepEqual(await run(real, ['-qO-', '--timeout=2', url(web)]), { code: 0, out: 'hello\n', err: '' });
  assert.deepEqual(await run(real, ['-qO-', '-T', '1', url(mute)]), { code: 1, out: '', err: 'wget: download timed out\n' });
  assert.deepEqual(await run(real, ['-qO-', '-T', '1', `http://127.0.0.1:${closedPort}/`]), { code: 1, out: '', err: "wget: can't connect to remote host (127.0.0.1): Connection refused\n" });
});
