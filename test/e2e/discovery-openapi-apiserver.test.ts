// Discovery and OpenAPI through the whole API server (createApiServer on an in-memory store) with
// the real kubectl: api-resources, short names and categories, explain, and the apply round trip
// that depends on OpenAPI (create, then configure through a strategic merge patch). Bootstrap is
// skipped so that only the objects this test applies exist.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESOURCES, apiVersionOf } from '../../src/api/resources.js';
import { createApiServer, type ApiServer } from '../../src/apiserver/index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../../src/registry/types.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import { silentLogger } from '../../src/util/log.js';

const KUBECTL = '/usr/bin/kubectl';

let api: ApiServer | undefined;
let dir = '';
let env: Record<string, string> = {};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubesvc-disco-api-'));
  api = createApiServer({ store: createMemoryStore(), logger: silentLogger, registryConfig: DEFAULT_REGISTRY_CONFIG, skipBootstrap: true });
  await api.listen('127.0.0.1', 0);
  await api.ready;
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{name: t, cluster: {server: "http://127.0.0.1:${api.port()}"}}]
users: [{name: t, user: {}}]
contexts: [{name: t, context: {cluster: t, user: t, namespace: default}}]
current-context: t
`,
  );
  env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'cache') };
});

after(async () => {
  await api?.close();
  await rm(dir, { recursive: true, force: true });
});

function kubectl(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(KUBECTL, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}

function ok(r: { code: number | null; stdout: string; stderr: string }): string {
  assert.equal(r.code, 0, `kubectl failed: ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

describe('kubectl discovery and OpenAPI through createApiServer', () => {
  test('api-resources lists every served kind', async () => {
    const out = ok(await kubectl(['api-resources']));
    const rows = out.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '));
    for (const r of RESOURCES) {
      const expected = [r.plural, ...r.shortNames, apiVersionOf(r), String(r.namespaced), r.kind].join(' ');
      assert.ok(rows.includes(expected), `missing ${expected} in\n${out}`);
    }
    const wide = ok(await kubectl(['api-resources', '-o', 'wide', '--api-group=apps']));
    assert.match(wide, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment\s+create,delete,deletecollection,get,list,patch,update,watch\s+all$/m);
  });

  test('explain service.spec.ports and lease.spec', async () => {
    const out = ok(await kubectl(['explain', 'service.spec.ports']));
    assert.match(out, /^FIELD: ports <\[\]ServicePort>$/m);
    assert.match(out, /^ {2}targetPort\t<IntOrString>$/m);
    const lease = ok(await kubectl(['explain', 'lease.spec']));
    assert.match(lease, /^GROUP:\s+coordination\.k8s\.io$/m);
    assert.match(lease, /^ {2}holderIdentity\t<string>$/m);
  });

  test('apply -f creates, then configures a Service', async () => {
    const svc = (target: number) => `apiVersion: v1
kind: Service
metadata:
  name: disco-web
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: ${target}}
`;
    assert.match(ok(await kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata: {name: default}\n')), /^namespace\/default created$/m);
    assert.match(ok(await kubectl(['apply', '-f', '-'], svc(8080))), /^service\/disco-web created$/m);
    assert.match(ok(await kubectl(['apply', '-f', '-'], svc(9090))), /^service\/disco-web configured$/m);
    const got = JSON.parse(ok(await kubectl(['get', 'svc', 'disco-web', '-o', 'json']))) as { spec: { ports: { targetPort: number }[] } };
    assert.equal(got.spec.ports[0].targetPort, 9090);
  });

  test('short names and the "all" category resolve', async () => {
    assert.match(ok(await kubectl(['get', 'svc', '-o', 'name'])), /^service\/disco-web$/m);
    assert.match(ok(await kubectl(['get', 'all', '-o', 'name'])), /^service\/disco-web$/m);
    assert.match(ok(await kubectl(['get', 'ns', '-o', 'name'])), /^namespace\/default$/m);
  });
});
