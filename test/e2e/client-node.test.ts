// A second real client: @kubernetes/client-node's informer (list, then watch from the list's
// resourceVersion) against kubesvc. It must see every change, keep working across a server
// restart, and relist when its resourceVersion has been compacted away (410 Gone).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, KubeConfig, type V1Service, makeInformer, type Informer } from '@kubernetes/client-node';
import { type Cluster, eventually, startCluster } from '../helpers/cluster.js';

const NS = 'default';

/** An informer plus what it has told us, kept as the cache a controller would build. */
function watchServices(kc: KubeConfig) {
  const api = kc.makeApiClient(CoreV1Api);
  const informer: Informer<V1Service> = makeInformer(kc, `/api/v1/namespaces/${NS}/services`, () => api.listNamespacedService({ namespace: NS }));
  const cache = new Map<string, string>(); // name → resourceVersion
  const log: string[] = [];
  let errors = 0;
  let stopped = false;
  informer.on('add', (s) => {
    cache.set(s.metadata?.name ?? '', s.metadata?.resourceVersion ?? '');
    log.push(`add ${s.metadata?.name}`);
  });
  informer.on('update', (s) => {
    cache.set(s.metadata?.name ?? '', s.metadata?.resourceVersion ?? '');
    log.push(`update ${s.metadata?.name}`);
  });
  informer.on('delete', (s) => {
    cache.delete(s.metadata?.name ?? '');
    log.push(`delete ${s.metadata?.name}`);
  });
  // client-node's documented pattern: after a connection error, start again (it resumes from its
  // last resourceVersion, or relists after a 410).
  informer.on('error', () => {
    errors++;
    if (!stopped) setTimeout(() => void (stopped ? undefined : informer.start()), 200);
  });
  return {
    api,
    informer,
    cache,
    log,
    errors: () => errors,
    async stop() {
      stopped = true;
      await informer.stop();
    },
    resume() {
      stopped = false;
      return informer.start();
    },
  };
}

/** True once a watch from `rv` is refused as expired (HTTP 410, or an ERROR event with code 410). */
async function expired(base: string, rv: string): Promise<boolean> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 1000);
  try {
    const res = await fetch(`${base}/api/v1/namespaces/${NS}/services?watch=true&resourceVersion=${rv}`, { signal: abort.signal });
    if (res.status === 410) return true;
    const reader = res.body?.getReader();
    const first = reader ? await reader.read() : undefined;
    return /"code":\s*410/.test(new TextDecoder().decode(first?.value ?? new Uint8Array()));
  } catch {
    return false; // no event within a second: still watchable
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

const service = (name: string): V1Service => ({
  metadata: { name, labels: { client: 'node' } },
  spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
});

describe('@kubernetes/client-node informer', () => {
  let c: Cluster;
  let w: ReturnType<typeof watchServices> | undefined;
  before(async () => {
    // Compact history every second so the test can make a resourceVersion expire.
    c = await startCluster({ args: ['--etcd-compaction-interval', '1s'] });
  });
  after(async () => {
    await w?.stop();
    await c?.cleanup();
  });

  test('lists, then sees adds, updates and deletes', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    w = watchServices(kc);
    await w.informer.start();
    assert.ok(await eventually(async () => w?.cache.has('kubernetes')), 'the initial list holds the kubernetes Service');

    const created = await w.api.createNamespacedService({ namespace: NS, body: service('one') });
    assert.ok(await eventually(async () => w?.cache.get('one') === created.metadata?.resourceVersion), w.log.join('\n'));

    const current = await w.api.readNamespacedService({ namespace: NS, name: 'one' });
    current.metadata = { ...current.metadata, labels: { ...current.metadata?.labels, seen: 'yes' } };
    const patched = await w.api.replaceNamespacedService({ namespace: NS, name: 'one', body: current });
    assert.notEqual(patched.metadata?.resourceVersion, created.metadata?.resourceVersion);
    assert.ok(await eventually(async () => w?.cache.get('one') === patched.metadata?.resourceVersion), w.log.join('\n'));

    await w.api.deleteNamespacedService({ namespace: NS, name: 'one' });
    assert.ok(await eventually(async () => !w?.cache.has('one')), w.log.join('\n'));
  });

  test('keeps working across a server restart', async () => {
    assert.ok(w);
    await c.restart();
    const created = await w.api.createNamespacedService({ namespace: NS, body: service('after-restart') });
    assert.ok(
      await eventually(async () => w?.cache.get('after-restart') === created.metadata?.resourceVersion, 20_000),
      `informer missed a change after the restart:\n${w.log.join('\n')}`,
    );
  });

  test('relists when its resourceVersion was compacted away', async () => {
    assert.ok(w);
    // Disconnect the informer, change things behind its back, let compaction pass its resourceVersion.
    const lastSeen = w.cache.get('after-restart') ?? '';
    await w.stop();
    await w.api.deleteNamespacedService({ namespace: NS, name: 'after-restart' });
    await w.api.createNamespacedService({ namespace: NS, body: service('while-away') });
    for (let i = 0; i < 3; i++) await w.api.createNamespacedService({ namespace: NS, body: service(`churn-${i}`) });
    for (let i = 0; i < 3; i++) await w.api.deleteNamespacedService({ namespace: NS, name: `churn-${i}` });
    assert.ok(await eventually(() => expired(c.url, lastSeen), 20_000, 250), `resourceVersion ${lastSeen} was never compacted`);

    const logStart = w.log.length;
    await w.resume();
    const synced = await eventually(async () => w !== undefined && !w.cache.has('after-restart') && w.cache.has('while-away'), 20_000);
    assert.ok(synced, `informer did not resync after compaction:\n${w.log.slice(logStart).join('\n')}`);
    // A relist reports the vanished object as a delete and the new one as an add.
    assert.ok(w.log.slice(logStart).includes('delete after-restart'), w.log.slice(logStart).join('\n'));
    assert.ok(w.log.slice(logStart).includes('add while-away'), w.log.slice(logStart).join('\n'));
    for (let i = 0; i < 3; i++) assert.equal(w.cache.has(`churn-${i}`), false);
    // Had the server replayed history instead of answering 410, the churn would show up as adds.
    assert.ok(!w.log.slice(logStart).includes('add churn-0'), `history was replayed, not compacted:\n${w.log.slice(logStart).join('\n')}`);

    // And it keeps watching afterwards.
    const created = await w.api.createNamespacedService({ namespace: NS, body: service('after-relist') });
    assert.ok(await eventually(async () => w?.cache.get('after-relist') === created.metadata?.resourceVersion, 10_000), w.log.join('\n'));
  });
});
