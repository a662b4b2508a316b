// The kubeconfig `kubesvc up` writes for kubectl once the API server is ready. Written atomically
// (temp file, fsync, rename) so a reader never sees half a file, and only after readiness, so its
// presence means "the cluster answers".
import { open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type { ListenAddress } from './up-config.js';

export const CONTEXT_NAME = 'kubesvc';

/** The URL clients should use for a listen address: wildcard binds are reached over loopback. */
export function serverURL(addr: ListenAddress): string {
  let host = addr.host;
  if (host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::') host = '::1';
  return `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
}

export function renderKubeconfig(server: string): string {
  // There is no TLS to verify on an http:// server; saying so explicitly is what
  // @kubernetes/client-node 1.x needs before it will talk plain HTTP at all (kubectl ignores it).
  const cluster = server.startsWith('http:') ? { server, 'insecure-skip-tls-verify': true } : { server };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CONTEXT_NAME, cluster }],
    users: [{ name: CONTEXT_NAME, user: {} }],
    contexts: [{ name: CONTEXT_NAME, context: { cluster: CONTEXT_NAME, user: CONTEXT_NAME } }],
    'current-context': CONTEXT_NAME,
    preferences: {},
  });
}

export async function writeFileAtomic(path: string, content: string, mode = 0o600): Promise<void> {
  const tmp = join(dirname(path), `.${process.pid}.${Date.now()}.tmp`);
  try {
    const fh = await open(tmp, 'w', mode);
    try {
      await fh.writeFile(content);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  // Make the rename itself durable.
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
