// Entering a pod sandbox (root, Linux): the container-entry helper and the exec chain it replaces
// must leave the program in the same place — the pod's network namespace, its hostname, its
// resolv.conf and hosts, its working directory, exactly its environment (PATH searched in that
// environment), a session of its own — and fail the same way (127, 126, a missing directory).
// Each mode runs what sandboxCommand() returns, spawned as launchProcess does.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sandboxCommand } from '../../src/node/container-process.js';
import { enterHelper, prepareEnterHelper } from '../../src/node/enter/helper.js';
import { findOnPath } from '../../src/node/host-check.js';
import type { Sandbox } from '../../src/node/sandbox.js';
import { silentLogger } from '../../src/util/log.js';
import { canRunPods } from './node-netns.js';

interface Ran {
  pid: number;
  code: number | null;
  out: string;
  err: string;
}

function run(argv: string[], env: Record<string, string> | undefined, detached: boolean): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { env: env ?? {}, detached, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ pid: child.pid ?? -1, code, out, err }));
  });
}

test('sandbox entry: helper and exec chain give the program the same sandbox', { skip: !canRunPods && 'needs root on Linux', timeout: 60_000 }, async (t) => {
  // Both modes are tested whatever the caller's KUBESVC_ENTER says (each subtest sets its own).
  const outer = process.env.KUBESVC_ENTER;
  delete process.env.KUBESVC_ENTER;
  t.after(() => {
    if (outer !== undefined) process.env.KUBESVC_ENTER = outer;
  });
  const helper = await prepareEnterHelper(silentLogger);
  const ns = `ksvc-enter-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'ksvc-enter-'));
  t.after(() => {
    execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });
  execFileSync('ip', ['netns', 'add', ns]);
  // An address on the namespace's own loopback: nothing leaves it.
  execFileSync('ip', ['-n', ns, 'addr', 'add', '10.250.3.7/32', 'dev', 'lo']);
  const sandbox: Sandbox = { uid: 'u1', netns: ns, netnsPath: `/run/netns/${ns}`, ip: '10.250.3.7', hostname: 'web-0', resolvConf: join(dir, 'resolv.conf'), hostsFile: join(dir, 'hosts') };
  writeFileSync(sandbox.resolvConf, 'nameserver 10.96.0.10\nsearch team.svc.cluster.local\n');
  writeFileSync(sandbox.hostsFile, '10.250.3.7\tweb-0\n');
  const work = join(dir, 'work');
  const bin = join(dir, 'bin');
  mkdirSync(work);
  mkdirSync(bin);
  // Only on the container's PATH, not on ours: found only if the search uses the new environment.
  writeFileSync(join(bin, 'probe-me'), '#!/bin/sh\necho probed "$@"\n');
  chmodSync(join(bin, 'probe-me'), 0o755);
  writeFileSync(join(bin, 'not-exec'), 'x');
  const hostResolv = readFileSync('/etc/resolv.conf', 'utf8');
  const ownHostname = hostname();
  const env: Record<string, string> = { PATH: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin`, GREETING: 'hello world', EMPTY: '', EQ: 'a=b', QUOTE: `it's "x"` };

  const modes: [string, string][] = [['helper', 'auto'], ['exec chain', 'chain']];
  // setup-host and CI install gcc; without one only the chain can be tested.
  const noHelper = !helper && findOnPath('cc', process.env.PATH ?? '') === undefined && 'no C compiler (apt-get install gcc libc6-dev)';
  for (const [mode, setting] of modes) {
    await t.test(mode, { skip: setting === 'auto' && noHelper }, async () => {
      assert.ok(setting === 'chain' || helper, 'with a C compiler the helper must build');
      process.env.KUBESVC_ENTER = setting;
      const cmd = (program: string[], workingDir: string | undefined = work, e: Record<string, string> | undefined = env, sb: Sandbox = sandbox) => sandboxCommand(sb, undefined, workingDir, program, e);
      try {
        assert.equal(cmd(['true']).argv[0] === helper, mode === 'helper');
        // The chain needs its caller for the session (detached, as launchProcess); the helper makes its own.
        const go = (program: string[], workingDir?: string, e?: Record<string, string>, sb?: Sandbox) => {
          const c = cmd(program, workingDir, e, sb);
          return run(c.argv, c.env, c.env !== undefined);
        };

        const view = await go(['sh', '-c', 'ip -o -4 addr show; echo "host=$(hostname)"; echo "cwd=$(pwd)"; cat /etc/resolv.conf /etc/hosts; cut -d" " -f6 /proc/$$/stat; echo "pid=$$"']);
        assert.equal(view.code, 0, view.err);
        assert.match(view.out, /inet 10\.250\.3\.7\/32/);
        assert.doesNotMatch(view.out, /eth|kubesvc0/, 'only the pod namespace\'s interfaces');
        assert.match(view.out, /^host=web-0$/m);
        assert.match(view.out, new RegExp(`^cwd=${work}$`, 'm'));
        assert.match(view.out, /nameserver 10\.96\.0\.10\nsearch team\.svc\.cluster\.local\n10\.250\.3\.7\tweb-0\n/);
        // The program is its own session leader (sh is the exec'd program, so $$ is the pid we got).
        const [sid, pidLine] = view.out.trim().split('\n').slice(-2);
        assert.equal(pidLine, `pid=${view.pid}`);
        assert.equal(sid, String(view.pid));

        // Exactly the given environment: `env` itself is the program (a shell would add PWD).
        const printed = await go(['env']);
        assert.equal(printed.code, 0, printed.err);
        // (The chain's sh prologue adds PWD and OLDPWD with its `cd`, as it always did.)
        const extra = mode === 'exec chain' ? [`OLDPWD=${process.cwd()}`, `PWD=${work}`] : [];
        assert.deepEqual(printed.out.trim().split('\n').sort(), [...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...extra].sort());
        // The PATH search uses the new environment.
        const found = await go(['probe-me', 'a b']);
        assert.deepEqual([found.code, found.out], [0, 'probed a b\n']);

        // Nothing leaked to the host: its resolv.conf and hostname are untouched.
        assert.equal(readFileSync('/etc/resolv.conf', 'utf8'), hostResolv);
        assert.equal(hostname(), ownHostname);

        // Failures, with sh's statuses.
        const missing = await go(['no-such-program']);
        assert.equal(missing.code, 127);
        assert.match(missing.err, /no-such-program/);
        const notExec = await go([join(bin, 'not-exec')]);
        assert.equal(notExec.code, 126);
        assert.match(notExec.err, /not-exec.*[Pp]ermission denied/);
        const noDir = await go(['true'], join(dir, 'no-such-dir'));
        assert.equal(noDir.code, 1);
        assert.match(noDir.err, /no-such-dir/);

        // hostNetwork: no namespace to join, so the node's interfaces; the pod's name and files still.
        const hostNet = await go(['sh', '-c', 'ip -o -4 addr show; hostname'], '/', env, { ...sandbox, netns: undefined, netnsPath: undefined });
        assert.equal(hostNet.code, 0, hostNet.err);
        assert.doesNotMatch(hostNet.out, /10\.250\.3\.7/);
        assert.match(hostNet.out, /inet 127\.0\.0\.1/);
        assert.match(hostNet.out, /^web-0$/m);

        // Started with SIGINT and SIGQUIT ignored (the fork server's background jobs are), the
        // program still gets default dispositions from the helper, as from a container runtime.
        if (mode === 'helper') {
          const c = cmd(['cat', '/proc/self/status']);
          const ignoring = await run(['/bin/sh', '-c', 'trap "" INT QUIT; exec "$@"', 'sh', ...c.argv], c.env, false);
          assert.equal(ignoring.code, 0, ignoring.err);
          const mask = BigInt(`0x${/^SigIgn:\s*([0-9a-f]+)$/m.exec(ignoring.out)?.[1] ?? 'ff'}`);
          assert.equal(mask & 0x6n, 0n, `SIGINT/SIGQUIT still ignored: ${mask.toString(16)}`);
        }

        // Without an environment (exec probes): the caller's is kept.
        const probe = sandboxCommand(sandbox, undefined, undefined, ['sh', '-c', 'echo "$PROBE_MARK"']);
        assert.equal(probe.env, undefined);
        const probed = await run(probe.argv, { PATH: process.env.PATH ?? '/usr/bin:/bin', PROBE_MARK: 'kept' }, false);
        assert.deepEqual([probed.code, probed.out], [0, 'kept\n']);
      } finally {
        delete process.env.KUBESVC_ENTER;
      }
    });
  }
  if (!process.env.KUBESVC_ENTER) assert.equal(enterHelper(), helper);
});
