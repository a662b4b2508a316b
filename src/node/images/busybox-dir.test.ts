import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { findOnPath } from '../host-check.js';
import { appletEntries, busyboxDir, STAMP, syncAppletDir, type Entry } from './busybox-dir.js';

const tmp = mkdtempSync(join(tmpdir(), 'ksvc-bbdir-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('the applets are links to busybox; wget, nc and netcat are executable scripts', () => {
  const e = appletEntries('/bin/busybox', ['sh', 'wget', 'nc', 'ls', ''], { timeout: '/usr/bin/timeout', nc: ['/usr/bin/node', '/x/builtin.js', 'nc'] });
  assert.deepEqual(e.get('sh'), { link: '/bin/busybox' });
  assert.deepEqual(e.get('ls'), { link: '/bin/busybox' });
  assert.ok(!e.has(''));
  const wget = e.get('wget') as { script: string };
  assert.match(wget.script, /^#!\/bin\/busybox sh\n/);
  assert.match(wget.script, /'\/usr\/bin\/timeout' --foreground -s ALRM "\$t" "\$bb" wget "\$@"/);
  assert.deepEqual(e.get('nc'), { script: `#!/bin/busybox sh\n# kubesvc: netcat-1.10-compatible nc (src/node/images/nc.ts).\nexec '/usr/bin/node' '/x/builtin.js' 'nc' "$@"\n` });
  assert.deepEqual(e.get('netcat'), e.get('nc'));
  // Without coreutils timeout, busybox's own.
  assert.match((appletEntries('/bin/busybox', [], { nc: [] }).get('wget') as { script: string }).script, /"\$bb" timeout -s ALRM "\$t" "\$bb" wget "\$@"/);
});

test('the directory is rebuilt when its content changes, and left alone when its stamp matches', async () => {
  const dir = join(tmp, 'bin');
  const v1 = new Map<string, Entry>([
    ['sh', { link: '/bin/busybox' }],
    ['ls', { link: '/bin/busybox' }],
    ['wget', { script: '#!/bin/sh\necho v1\n' }],
  ]);
  await syncAppletDir(dir, v1);
  assert.deepEqual(readdirSync(dir).sort(), [STAMP, 'ls', 'sh', 'wget']);
  assert.equal(readlinkSync(join(dir, 'sh')), '/bin/busybox');
  assert.equal(execFileSync(join(dir, 'wget'), { encoding: 'utf8' }), 'v1\n');

  // Same content: nothing is rewritten (a file changed by hand stays as it is).
  writeFileSync(join(dir, 'wget'), '#!/bin/sh\necho by hand\n');
  await syncAppletDir(dir, v1);
  assert.equal(execFileSync(join(dir, 'wget'), { encoding: 'utf8' }), 'by hand\n');

  // New content (a new kubesvc, a new busybox): scripts rewritten, links retargeted, gone applets removed.
  const v2 = new Map<string, Entry>([
    ['sh', { link: '/usr/bin/busybox' }],
    ['wget', { script: '#!/bin/sh\necho v2\n' }],
    ['nc', { script: '#!/bin/sh\necho nc\n' }],
  ]);
  await syncAppletDir(dir, v2);
  assert.deepEqual(readdirSync(dir).sort(), [STAMP, 'nc', 'sh', 'wget']);
  assert.equal(readlinkSync(join(dir, 'sh')), '/usr/bin/busybox');
  assert.equal(execFileSync(join(dir, 'wget'), { encoding: 'utf8' }), 'v2\n');
  assert.equal(statSync(join(dir, 'nc')).mode & 0o777, 0o755);
});

test("busyboxDir makes <dataDir>/busybox-bin from the host's busybox", { skip: !findOnPath('busybox', process.env.PATH ?? '') && 'needs busybox' }, async () => {
  const dir = await busyboxDir(join(tmp, 'data'));
  assert.equal(dir, join(tmp, 'data', 'busybox-bin'));
  assert.ok(lstatSync(join(dir, 'sh')).isSymbolicLink());
  assert.ok(lstatSync(join(dir, 'nslookup')).isSymbolicLink());
  assert.match(readFileSync(join(dir, 'wget'), 'utf8'), /download timed out/);
  assert.match(readFileSync(join(dir, 'nc'), 'utf8'), /builtin\.(ts|js)' 'nc' "\$@"/);
  // A second start finds it up to date.
  const stamp = readFileSync(join(dir, STAMP), 'utf8');
  assert.equal(await busyboxDir(join(tmp, 'data')), dir);
  assert.equal(readFileSync(join(dir, STAMP), 'utf8'), stamp);
});
