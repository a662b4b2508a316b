// A throwaway network namespace standing in for a node: every host command of the agent runs in it
// (nsenter), so tests never touch the machine's own interfaces. Removed with everything in it.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { hostRunner, type Runner } from '../../src/node/exec.js';

export interface NodeNetns {
  name: string;
  path: string;
  /** Runs commands inside the node's namespace. */
  run: Runner;
  /** Pod namespaces created by this test's agent start with this. */
  prefix: string;
  remove(): void;
}

export const canRunPods = process.platform === 'linux' && process.getuid?.() === 0;

export function createNodeNetns(): NodeNetns {
  const id = randomBytes(4).toString('hex');
  const name = `ksvc-t-${id}`;
  execFileSync('ip', ['netns', 'add', name]);
  execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  const path = `/run/netns/${name}`;
  const prefix = `ksvc-t${id}-`;
  return {
    name,
    path,
    prefix,
    run: (cmd, args, input) => hostRunner('nsenter', [`--net=${path}`, '--', cmd, ...args], input),
    remove() {
      // Pod namespaces first (their veths die with them), then the node's own.
      const list = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
      for (const line of list.split('\n')) {
        const ns = line.split(' ')[0];
        if (ns.startsWith(prefix)) execFileSync('ip', ['netns', 'del', ns]);
      }
      execFileSync('ip', ['netns', 'del', name]);
    },
  };
}
