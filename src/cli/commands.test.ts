import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CliIO, runCli } from './commands.js';
import type { UpConfig } from './up-config.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const ups: UpConfig[] = [];
  const cli: CliIO = {
    cwd: '/work/p',
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    up: async (c) => {
      ups.push(c);
      return 0;
    },
  };
  return { cli, out: () => out.join(''), err: () => err.join(''), ups };
}

test('up passes the translated config on', async () => {
  const t = io();
  const code = await runCli(['up', '--listen', '127.0.0.1:0', '--data-dir=/tmp/d', '--service-node-port-range', '30000-30099'], t.cli);
  assert.equal(code, 0);
  assert.equal(t.ups.length, 1);
  assert.deepEqual(t.ups[0].listen, { host: '127.0.0.1', port: 0 });
  assert.equal(t.ups[0].dataDir, '/tmp/d');
  assert.deepEqual(t.ups[0].registry.nodePortRange, { base: 30000, size: 100 });
});

test('bad flags: a clear message on stderr, exit code 2, nothing started', async () => {
  for (const argv of [
    ['up', '--bogus'],
    ['up', '--listen'],
    ['up', '--listen', 'nowhere'],
    ['up', '--service-cidr', '10.0.0.0/8'],
    ['up', 'extra'],
    ['frobnicate'],
    ['version', 'x'],
  ]) {
    const t = io();
    assert.equal(await runCli(argv, t.cli), 2, argv.join(' '));
    assert.equal(t.ups.length, 0);
    assert.match(t.err(), /^kubesvc: .+\nRun "kubesvc help( up)?" for usage\.\n$/, argv.join(' '));
  }
  const t = io();
  await runCli(['up', '--bogus'], t.cli);
  assert.match(t.err(), /Unknown option '--bogus'/);
});

test('help and version', async () => {
  let t = io();
  assert.equal(await runCli(['help'], t.cli), 0);
  assert.match(t.out(), /kubesvc up \[flags\]/);
  t = io();
  assert.equal(await runCli(['up', '--help'], t.cli), 0);
  assert.match(t.out(), /--service-node-port-range MIN-MAX/);
  assert.equal(t.ups.length, 0);
  t = io();
  assert.equal(await runCli(['version'], t.cli), 0);
  assert.match(t.out(), /^kubesvc v\d+\.\d+\.\d+ \(Kubernetes API 1\.32, Node\.js v\d+/);
  t = io();
  assert.equal(await runCli([], t.cli), 2);
  assert.match(t.err(), /Usage:/);
});

test('a failing up is exit code 1 with its message', async () => {
  const t = io();
  t.cli.up = async () => {
    throw new Error('disk on fire');
  };
  assert.equal(await runCli(['up'], t.cli), 1);
  assert.equal(t.err(), 'kubesvc: disk on fire\n');
});
