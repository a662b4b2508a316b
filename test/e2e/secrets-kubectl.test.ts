// Secrets through the real kubectl against `kubesvc up`: every `create secret` flavour (kubectl
// sends these as protobuf), the columns and describe output kubectl users know, stringData, and
// kube-apiserver's refusals with its texts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Cluster, startCluster } from '../helpers/cluster.js';
import { fails, json, ok, row, table } from '../helpers/output.js';

interface SecretJSON {
  type: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  metadata: { resourceVersion: string };
}

const decode = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');

describe('kubectl and secrets', () => {
  let c: Cluster;
  let tmp: string;
  const get = async (name: string) => json<SecretJSON>(await c.kubectl(['get', 'secret', name, '-o', 'json']));

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'kubesvc-e2e-secrets-'));
    c = await startCluster();
  });
  after(async () => {
    await c?.cleanup();
    await rm(tmp, { recursive: true, force: true });
  });

  test('api-resources and explain know secrets', async () => {
    const out = ok(await c.kubectl(['api-resources', '--api-group=']));
    assert.deepEqual(row(out, 'secrets'), ['secrets', 'v1', 'true', 'Secret']);
    const explain = ok(await c.kubectl(['explain', 'secret.data']));
    assert.match(explain, /FIELD: data <map\[string\]string>/);
    assert.match(explain, /base64 encoded string/);
  });

  test('create secret generic: NAME TYPE DATA AGE, describe shows sizes and never values', async () => {
    assert.equal(ok(await c.kubectl(['create', 'secret', 'generic', 'db', '--from-literal=user=admin', '--from-literal=password=s3cr3t'])), 'secret/db created\n');
    const s = await get('db');
    assert.equal(s.type, 'Opaque');
    assert.equal(decode(s.data?.password), 's3cr3t');
    const rows = table(ok(await c.kubectl(['get', 'secrets'])));
    assert.deepEqual(rows[0], ['NAME', 'TYPE', 'DATA', 'AGE']);
    assert.deepEqual(row(ok(await c.kubectl(['get', 'secrets'])), 'db')?.slice(0, 3), ['db', 'Opaque', '2']);
    const described = ok(await c.kubectl(['describe', 'secret', 'db']));
    assert.match(described, /^Type:\s+Opaque$/m);
    assert.match(described, /^password:\s+6 bytes$/m);
    assert.match(described, /^user:\s+5 bytes$/m);
    assert.doesNotMatch(described, /s3cr3t|admin/);
    assert.match(fails(await c.kubectl(['create', 'secret', 'generic', 'db', '--from-literal=a=b'])), /^error: failed to create secret secrets "db" already exists$/m);
  });

  test('create secret tls and docker-registry: their types and keys', async () => {
    const crt = join(tmp, 'tls.crt');
    const key = join(tmp, 'tls.key');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '1', '-subj', '/CN=web.example'], { stdio: 'ignore' });
    ok(await c.kubectl(['create', 'secret', 'tls', 'web-tls', `--cert=${crt}`, `--key=${key}`]));
    const tls = await get('web-tls');
    assert.equal(tls.type, 'kubernetes.io/tls');
    assert.deepEqual(Object.keys(tls.data ?? {}).sort(), ['tls.crt', 'tls.key']);
    assert.match(decode(tls.data?.['tls.crt']), /^-----BEGIN CERTIFICATE-----/);

    ok(await c.kubectl(['create', 'secret', 'docker-registry', 'pull', '--docker-server=registry.example', '--docker-username=u', '--docker-password=p']));
    const pull = await get('pull');
    assert.equal(pull.type, 'kubernetes.io/dockerconfigjson');
    const cfg = JSON.parse(decode(pull.data?.['.dockerconfigjson'])) as { auths: Record<string, { username: string }> };
    assert.equal(cfg.auths['registry.example']?.username, 'u');
    assert.deepEqual(row(ok(await c.kubectl(['get', 'secret', 'pull'])), 'pull')?.slice(0, 3), ['pull', 'kubernetes.io/dockerconfigjson', '1']);
    // Secrets select on type server-side, and on nothing else beyond name and namespace.
    const tlsOnly = table(ok(await c.kubectl(['get', 'secrets', '--field-selector', 'type=kubernetes.io/tls', '-o', 'name'])));
    assert.deepEqual(tlsOnly, [['secret/web-tls']]);
    assert.match(fails(await c.kubectl(['get', 'secrets', '--field-selector', 'data=x'])), /field label not supported: data/);
  });

  test('apply with stringData: merged into data, never returned, updates fold in too', async () => {
    const yaml = (token: string) => `apiVersion: v1
kind: Secret
metadata:
  name: app
stringData:
  token: ${token}
data:
  plain: ${Buffer.from('x').toString('base64')}
`;
    assert.equal(ok(await c.kubectl(['apply', '-f', '-'], { stdin: yaml('first') })), 'secret/app created\n');
    let s = await get('app');
    assert.equal(s.stringData, undefined);
    assert.deepEqual({ token: decode(s.data?.token), plain: decode(s.data?.plain) }, { token: 'first', plain: 'x' });
    assert.equal(ok(await c.kubectl(['apply', '-f', '-'], { stdin: yaml('second') })), 'secret/app configured\n');
    s = await get('app');
    assert.equal(decode(s.data?.token), 'second');
    ok(await c.kubectl(['patch', 'secret', 'app', '-p', '{"stringData":{"extra":"e"}}']));
    assert.equal(decode((await get('app')).data?.extra), 'e');
  });

  test('refusals carry kube-apiserver texts', async () => {
    const manifest = join(tmp, 'bad.yaml');
    await writeFile(manifest, 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: bad\ntype: kubernetes.io/tls\ndata:\n  ..x: eA==\n');
    assert.equal(
      fails(await c.kubectl(['create', '-f', manifest])),
      `The Secret "bad" is invalid: \n* data[..x]: Invalid value: "..x": must not start with '..'\n* data[tls.crt]: Required value\n* data[tls.key]: Required value\n`,
    );
    await writeFile(manifest, 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: bad\ndata:\n  a: eA\n');
    assert.match(fails(await c.kubectl(['create', '-f', manifest])), /Error from server \(BadRequest\): error when creating ".*bad\.yaml": Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0/);
    const big = join(tmp, 'big.bin');
    await writeFile(big, Buffer.alloc(1024 * 1024 + 1, 7));
    assert.equal(fails(await c.kubectl(['create', 'secret', 'generic', 'big', `--from-file=blob=${big}`])), 'error: failed to create secret Secret "big" is invalid: data: Too long: may not be more than 1048576 bytes\n');
    await writeFile(manifest, 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: frozen\nimmutable: true\nstringData:\n  a: "1"\n');
    ok(await c.kubectl(['create', '-f', manifest]));
    assert.match(fails(await c.kubectl(['patch', 'secret', 'frozen', '-p', '{"stringData":{"a":"2"}}'])), /The Secret "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set/);
    assert.match(fails(await c.kubectl(['patch', 'secret', 'db', '-p', '{"type":"kubernetes.io/basic-auth"}'])), /The Secret "db" is invalid: type: Invalid value: "kubernetes.io\/basic-auth": field is immutable/);
  });
});
