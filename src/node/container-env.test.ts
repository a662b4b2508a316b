// The env builder's ConfigMap and Secret sources: values, prefixes, optional references, and the
// kubelet's CreateContainerConfigError texts for what is missing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConfigMap, Container, Pod, Secret } from 'kubernetes-types/core/v1.js';
import { ContainerConfigError, containerEnv, type EnvSources } from './container-env.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const pod: Pod = { metadata: { name: 'p', namespace: 'app' }, spec: { containers: [] } };

function sources(configMaps: Record<string, ConfigMap>, secrets: Record<string, Secret>): EnvSources {
  return {
    services: [],
    configMap: async (ns, name) => (ns === 'app' ? configMaps[name] : undefined),
    secret: async (ns, name) => (ns === 'app' ? secrets[name] : undefined),
    podIP: '10.244.0.5',
    hostIP: '10.244.0.1',
  };
}

const env = (c: Partial<Container>, src: EnvSources) => containerEnv(pod, { name: 'c', ...c }, 'p', src);

test('secretKeyRef and envFrom secretRef give the decoded values; env entries win over envFrom', async () => {
  const src = sources({ cfg: { data: { MODE: 'fast', LEVEL: '3' } } }, { db: { data: { user: b64('admin'), password: b64('s3cr3t'), 'bad=key': b64('x') } } });
  const got = await env(
    {
      envFrom: [{ secretRef: { name: 'db' }, prefix: 'DB_' }, { configMapRef: { name: 'cfg' } }],
      env: [
        { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
        { name: 'LEVEL', value: 'override-$(MODE)' },
      ],
    },
    src,
  );
  assert.equal(got.get('PASSWORD'), 's3cr3t');
  assert.equal(got.get('DB_user'), 'admin');
  assert.equal(got.get('DB_password'), 's3cr3t');
  assert.equal(got.has('DB_bad=key'), false, 'not an environment variable name: skipped');
  assert.equal(got.get('MODE'), 'fast');
  assert.equal(got.get('LEVEL'), 'override-fast');
});

test('optional references to missing Secrets, ConfigMaps or keys are skipped', async () => {
  const src = sources({}, { db: { data: {} } });
  const got = await env(
    {
      envFrom: [{ secretRef: { name: 'none', optional: true } }, { configMapRef: { name: 'none', optional: true } }],
      env: [
        { name: 'A', valueFrom: { secretKeyRef: { name: 'none', key: 'k', optional: true } } },
        { name: 'B', valueFrom: { secretKeyRef: { name: 'db', key: 'k', optional: true } } },
      ],
    },
    src,
  );
  assert.equal(got.has('A'), false);
  assert.equal(got.has('B'), false);
});

test("missing non-optional sources fail with the kubelet's texts", async () => {
  const src = sources({ cfg: { data: {} } }, { db: { data: {} } });
  const cases: Array<[Partial<Container>, string]> = [
    [{ env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'x', key: 'k' } } }] }, 'secret "x" not found'],
    [{ env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'db', key: 'k' } } }] }, "couldn't find key k in Secret app/db"],
    [{ env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] }, "couldn't find key k in ConfigMap app/cfg"],
    [{ envFrom: [{ secretRef: { name: 'x' } }] }, 'secret "x" not found'],
    [{ envFrom: [{ configMapRef: { name: 'y' } }] }, 'configmap "y" not found'],
  ];
  for (const [c, message] of cases) {
    await assert.rejects(env(c, src), (e: unknown) => e instanceof ContainerConfigError && e.message === message, message);
  }
  const noSecrets = { ...src, secret: undefined };
  await assert.rejects(env({ envFrom: [{ secretRef: { name: 'db' } }] }, noSecrets), /secret "db" not found/);
});
