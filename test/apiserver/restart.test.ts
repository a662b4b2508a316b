// A real restart on the embedded store: objects, resourceVersions and the bootstrap survive, and a
// watch can resume from a resourceVersion handed out before the restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiServer, type ApiServer } from '../../src/apiserver/index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../../src/registry/types.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { silentLogger } from '../../src/util/log.js';
import { openWatch } from './harness.js';

async function boot(dir: string): Promise<{ api: ApiServer; store: Store; base: string }> {
  const store = await openStore({ backend: 'embedded', dir, durability: 'normal' });
  const api = createApiServer({ store, logger: silentLogger, registryConfig: DEFAULT_REGISTRY_CONFIG });
  await api.listen('127.0.0.1', 0);
  await api.ready;
  return { api, store, base: `http://127.0.0.1:${api.port()}` };
}

const json = async (r: Response) => (await r.json()) as { metadata: { uid: string; resourceVersion: string }; spec: { clusterIP: string } };

test('restart keeps objects, bootstrap state and resumable resourceVersions', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kubesvc-restart-'));
  let run: { api: ApiServer; store: Store; base: string } | undefined;
  try {
    run = await boot(dir);
    const created = await json(
      await fetch(`${run.base}/api/v1/namespaces/default/services`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ metadata: { name: 'keep' }, spec: { ports: [{ port: 80 }] } }),
      }),
    );
    const kube1 = await json(await fetch(`${run.base}/api/v1/namespaces/default/services/kubernetes`));
    await run.api.close();
    await run.store.close();
    run = undefined;

    run = await boot(dir);
    const again = await json(await fetch(`${run.base}/api/v1/namespaces/default/services/keep`));
    assert.equal(again.metadata.uid, created.metadata.uid);
    assert.equal(again.spec.clusterIP, created.spec.clusterIP);
    const kube2 = await json(await fetch(`${run.base}/api/v1/namespaces/default/services/kubernetes`));
    assert.equal(kube2.metadata.uid, kube1.metadata.uid);
    assert.equal(kube2.metadata.resourceVersion, kube1.metadata.resourceVersion);

    const w = await openWatch(run.base, `/api/v1/namespaces/default/services?watch=true&resourceVersion=${created.metadata.resourceVersion}`);
    try {
      await fetch(`${run.base}/api/v1/namespaces/default/services/keep`, { method: 'DELETE' });
      const e = await w.next();
      assert.equal(e.type, 'DELETED');
      assert.equal(e.object.metadata.name, 'keep');
    } finally {
      w.close();
    }
  } finally {
    if (run) {
      await run.api.close();
      await run.store.close();
    }
    await rm(dir, { recursive: true, force: true });
  }
});
