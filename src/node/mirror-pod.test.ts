import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createApiServer } from '../apiserver/index.js';
import { createClient, inProcessTransport, NAMESPACES, PODS } from '../client/index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../registry/types.js';
import { createMemoryStore } from '../store/memory/memory-store.js';
import { silentLogger } from '../util/log.js';
import { isMirrorPod, keepMirrorPods, mirrorLogFile, mirrorLogSink, mirrorLogSource, type MirrorPodSpec } from './mirror-pod.js';

const spec: MirrorPodSpec = { namespace: 'kube-system', name: 'kube-proxy-n1', labels: { 'k8s-app': 'kube-proxy' }, source: 'test', container: { name: 'kube-proxy', image: 'kubesvc/proxy:builtin' } };

async function until<T>(f: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('keepMirrorPods: Running/Ready on the node address, re-created after a delete and after a graceful delete', async () => {
  const store = createMemoryStore();
  const api = createApiServer({ store, logger: silentLogger, registryConfig: DEFAULT_REGISTRY_CONFIG, skipBootstrap: true });
  await api.ready;
  const client = createClient(inProcessTransport(api.registry));
  const keeper = keepMirrorPods({ client, logger: silentLogger, nodeName: 'n1', nodeIP: '192.0.2.1', retryMs: 20 }, [spec]);
  try {
    // The namespace arrives after the keeper started: it retries until it can create the pod.
    await new Promise((r) => setTimeout(r, 50));
    await client.resource(NAMESPACES).create(undefined, { metadata: { name: 'kube-system' } });
    await keeper.ready;
    const pods = client.resource(PODS);
    const first = await pods.get('kube-system', 'kube-proxy-n1');
    assert.ok(isMirrorPod(first));
    assert.equal(first.spec?.nodeName, 'n1');
    assert.equal(first.spec?.hostNetwork, true);
    assert.equal(first.status?.phase, 'Running');
    assert.equal(first.status?.podIP, '192.0.2.1');
    assert.equal(first.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    assert.equal(first.status?.containerStatuses?.[0]?.name, 'kube-proxy');

    await pods.delete('kube-system', 'kube-proxy-n1', { gracePeriodSeconds: 0 });
    const second = await until(async () => {
      const p = await pods.get('kube-system', 'kube-proxy-n1');
      return p.metadata?.uid !== first.metadata?.uid && p.status?.phase === 'Running' ? p : undefined;
    }, 're-created pod');

    // kubectl delete's default: graceful. Nothing would finish it; the keeper removes and re-creates it.
    await pods.delete('kube-system', 'kube-proxy-n1');
    await until(async () => {
      const p = await pods.get('kube-system', 'kube-proxy-n1');
      return p.metadata?.uid !== second.metadata?.uid && !p.metadata?.deletionTimestamp && p.status?.phase === 'Running' ? p : undefined;
    }, 'pod re-created after a graceful delete');
  } finally {
    keeper.stop();
    client.close();
    await api.close().catch(() => {});
    await store.close();
  }
});

test('mirror logs: a sink appends lines the log locator then finds', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ksvc-mirror-log-'));
  try {
    assert.equal(mirrorLogSource(dir, 'kube-system', 'kube-dns-n1', 'dns'), undefined);
    const file = mirrorLogFile(dir, 'kube-system', 'kube-dns-n1', 'dns');
    const out = mirrorLogSink(file);
    out.sink('level=info msg=one');
    out.sink('level=info msg=two');
    await out.close();
    assert.equal(await readFile(file, 'utf8'), 'level=info msg=one\nlevel=info msg=two\n');
    const src = mirrorLogSource(dir, 'kube-system', 'kube-dns-n1', 'dns');
    assert.deepEqual(src?.files, [file]);
    assert.equal(mirrorLogSource(dir, 'kube-system', 'kube-dns-n1', 'other'), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
