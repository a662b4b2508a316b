// `kubesvc up` as a user runs it: flags, readiness, the kubeconfig, clean stop, loud failure, and
// durability across a clean restart and a kill -9.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Cluster, KUBESVC_BIN, run, startCluster } from '../helpers/cluster.js';
import { fails, json, ok } from '../helpers/output.js';

interface Svc {
  metadata: { name: string; uid: string; resourceVersion: string; creationTimestamp: string };
  spec: { clusterIP: string; ports: { port: number; nodePort?: number }[] };
}

function kubesvc(args: string[]) {
  return run(process.execPath, [KUBESVC_BIN, ...args], { env: { PATH: process.env.PATH ?? '' }, timeoutMs: 15_000 });
}

test('bad flags: exit code 2 and a message naming the problem', async () => {
  let r = await kubesvc(['up', '--bogus']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^kubesvc: Unknown option '--bogus'\nRun "kubesvc help up" for usage\.\n$/);
  r = await kubesvc(['up', '--listen', '127.0.0.1']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /invalid --listen "127\.0\.0\.1": missing port/);
  r = await kubesvc(['up', '--service-node-port-range', '32767-30000']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /invalid --service-node-port-range "32767-30000"/);
  r = await kubesvc(['nonsense']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command "nonsense"/);
});

test('version and help', async () => {
  const v = await kubesvc(['version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^kubesvc v\d+\.\d+\.\d+ \(Kubernetes API 1\.32/);
  const h = await kubesvc(['help', 'up']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /--data-dir DIR/);
});

describe('a running cluster', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(() => c?.cleanup());

  test('the kubeconfig appears only once the API answers, and up says how to use it', async () => {
    // No retry: the kubeconfig exists, so the cluster must already serve.
    const out = ok(await c.kubectl(['get', 'namespace', 'default', '-o', 'name']));
    assert.equal(out, 'namespace/default\n');
    assert.match(c.logs(), new RegExp(`export KUBECONFIG=${c.kubeconfig.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\n`));
    const v = ok(await c.kubectl(['version', '-o', 'json']));
    const server = (JSON.parse(v) as { serverVersion?: { major: string; minor: string } }).serverVersion;
    assert.deepEqual({ major: server?.major, minor: server?.minor }, { major: '1', minor: '32' });
  });

  test('a second kubesvc on the same address fails loudly with a non-zero exit', async () => {
    const r = await run(process.execPath, [KUBESVC_BIN, 'up', '--data-dir', `${c.dataDir}-second`, '--listen', `127.0.0.1:${c.port}`, '--store', 'memory'], {
      env: { PATH: process.env.PATH ?? '' },
      timeoutMs: 15_000,
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /level=error/);
    assert.match(r.stderr, /EADDRINUSE/);
  });

  test('a second kubesvc on the same data dir refuses to start', async () => {
    const r = await run(process.execPath, [KUBESVC_BIN, 'up', '--data-dir', c.dataDir, '--listen', '127.0.0.1:0'], {
      env: { PATH: process.env.PATH ?? '' },
      timeoutMs: 15_000,
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`in use by another kubesvc \\(pid ${c.pid()}\\)`));
    // The running one is unharmed.
    assert.equal(ok(await c.kubectl(['get', 'namespace', 'default', '-o', 'name'])), 'namespace/default\n');
  });

  test('SIGTERM stops cleanly (exit 0); a restart keeps objects, uids, resourceVersions and allocations', async () => {
    ok(await c.kubectl(['create', 'service', 'nodeport', 'keep', '--tcp=80:8080']));
    const before1 = json<Svc>(await c.kubectl(['get', 'svc', 'keep', '-o', 'json']));
    const r = await c.stop();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /msg=stopped/);
    await c.start();
    const after1 = json<Svc>(await c.kubectl(['get', 'svc', 'keep', '-o', 'json']));
    assert.equal(after1.metadata.uid, before1.metadata.uid);
    assert.equal(after1.metadata.resourceVersion, before1.metadata.resourceVersion);
    assert.equal(after1.metadata.creationTimestamp, before1.metadata.creationTimestamp);
    assert.equal(after1.spec.clusterIP, before1.spec.clusterIP);
    assert.equal(after1.spec.ports[0].nodePort, before1.spec.ports[0].nodePort);
    // Revisions keep counting up after a restart, and allocations are still taken.
    ok(await c.kubectl(['create', 'service', 'clusterip', 'after-restart', '--tcp=80']));
    const next = json<Svc>(await c.kubectl(['get', 'svc', 'after-restart', '-o', 'json']));
    assert.ok(Number(next.metadata.resourceVersion) > Number(before1.metadata.resourceVersion));
    assert.notEqual(next.spec.clusterIP, before1.spec.clusterIP);
    const dup = fails(
      await c.kubectl(['create', 'service', 'nodeport', 'steal', '--tcp=81:8080', `--node-port=${before1.spec.ports[0].nodePort}`]),
    );
    assert.match(dup, /provided port is already allocated/);
  });

  test('kill -9 then restart loses no acknowledged write', async () => {
    const names = Array.from({ length: 8 }, (_, i) => `durable-${i}`);
    for (const n of names) ok(await c.kubectl(['create', 'service', 'clusterip', n, '--tcp=80']));
    ok(await c.kubectl(['label', 'svc', 'durable-0', 'acked=yes']));
    const rv = json<Svc>(await c.kubectl(['get', 'svc', 'durable-0', '-o', 'json'])).metadata.resourceVersion;
    await c.kill9();
    await c.start();
    const list = json<{ items: Svc[] }>(await c.kubectl(['get', 'svc', '-o', 'json']));
    const have = new Set(list.items.map((s) => s.metadata.name));
    for (const n of names) assert.ok(have.has(n), `${n} was lost`);
    const d0 = json<Svc & { metadata: { labels?: Record<string, string> } }>(await c.kubectl(['get', 'svc', 'durable-0', '-o', 'json']));
    assert.equal(d0.metadata.labels?.acked, 'yes');
    assert.equal(d0.metadata.resourceVersion, rv);
  });

  test('kill -9 in the middle of concurrent writes loses none that were acknowledged', async () => {
    // Raw HTTP, so the kill lands the instant the 60th acknowledgement arrives: no kubectl start-up
    // time for a lazily persisted write to catch up in.
    const acked: string[] = [];
    let killed = false;
    let killing: Promise<void> | undefined;
    let n = 0;
    const writer = async () => {
      while (!killed) {
        const name = `burst-${n++}`;
        let res: Response;
        try {
          res = await fetch(`${c.url}/api/v1/namespaces/default/services`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }] } }),
          });
        } catch {
          return; // the server is gone: this write was never acknowledged
        }
        if (res.status !== 201) throw new Error(`create ${name}: HTTP ${res.status}: ${await res.text()}`);
        acked.push(name);
        if (!killed && acked.length >= 60) {
          killed = true;
          killing = c.kill9(); // sends SIGKILL synchronously, before any other response is handled
        }
        await res.arrayBuffer().catch(() => undefined);
      }
    };
    await Promise.all(Array.from({ length: 8 }, writer));
    assert.ok(killing, 'the writers stopped before the kill');
    await killing;
    await c.start();
    const names = new Set(json<{ items: Svc[] }>(await c.kubectl(['get', 'svc', '-o', 'json'])).items.map((s) => s.metadata.name));
    const lost = acked.filter((a) => !names.has(a));
    assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged creates were lost`);
  });
});

describe('cluster settings reach the API server', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster({ args: ['--service-cidr', '10.0.0.0/24', '--service-node-port-range', '31000-31099', '--store', 'memory'] });
  });
  after(() => c?.cleanup());

  test('--service-cidr and --service-node-port-range', async () => {
    assert.equal(ok(await c.kubectl(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}'])), '10.0.0.1');
    ok(await c.kubectl(['create', 'service', 'nodeport', 'np', '--tcp=80:8080']));
    const np = json<Svc>(await c.kubectl(['get', 'svc', 'np', '-o', 'json']));
    assert.match(np.spec.clusterIP, /^10\.0\.0\.\d{1,3}$/);
    const port = np.spec.ports[0].nodePort ?? 0;
    assert.ok(port >= 31000 && port <= 31099, `nodePort ${port}`);
    const r = await c.kubectl(['create', 'service', 'nodeport', 'np2', '--tcp=80:8080', '--node-port=30080']);
    assert.match(fails(r), /provided port is not in the valid range\. The range of valid ports is 31000-31099\n$/);
  });
});
