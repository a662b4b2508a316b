// Starts src/proxy's userspace backend for the target Service in the node namespace (a child
// process: the backend's listeners must live in that namespace), when the backend exists.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BenchNode } from './netns.js';
import type { Target } from './rulesets.js';

export interface UserspaceProxy {
  /** host:port to send traffic to (the ClusterIP, served by the proxy process). */
  address: string;
  stop(): Promise<void>;
}

export async function startUserspaceProxy(node: BenchNode, _dir: string, target: Target): Promise<UserspaceProxy | undefined> {
  const root = join(import.meta.dirname, '..', '..');
  if (!existsSync(join(root, 'src/proxy/userspace/backend.ts'))) return undefined;
  const child = node.start(node.ns, [process.execPath, '--import', 'tsx', join(import.meta.dirname, 'userspace-child.ts'), JSON.stringify(target)]);
  await BenchNode.waitFor(child, /ready/, 30_000);
  return {
    address: `${target.clusterIP}:${target.port}`,
    stop: async () => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      await node.stop(child);
    },
  };
}
