// Runs the calling test file again inside a fresh network namespace (`unshare --net`), so the node
// agent under test owns a network stack of its own: its bridge, pods and probes never touch the
// machine's interfaces. Returns true in the child (run the tests), false in the parent (which
// reports the child's result as one test).
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { canRunPods } from './node-netns.js';

const MARK = 'KUBESVC_TEST_IN_NETNS';

export function inOwnNetns(fileUrl: string, timeoutMs = 240_000): boolean {
  if (process.env[MARK] === '1') return true;
  test(`${fileUrl.split('/').pop()} in its own network namespace`, { skip: !canRunPods && 'needs root on Linux', timeout: timeoutMs }, async () => {
    const child = spawn('unshare', ['--net', '--', process.execPath, '--import', 'tsx', '--test', '--test-reporter=spec', fileURLToPath(fileUrl)], {
      // Without NODE_TEST_CONTEXT the child reports for itself instead of to a parent runner.
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')), [MARK]: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    if (code !== 0) throw new Error(`tests in the namespace failed (exit ${code}):\n${out}`);
  });
  return false;
}
