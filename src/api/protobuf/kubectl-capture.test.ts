// Decodes the protobuf bodies the real kubectl 1.32 sends for `kubectl create ...`. A tiny
// loopback HTTP server plays just enough of an apiserver (version, legacy discovery) for kubectl to
// reach the POST, records the raw body, and answers 201 with the decoded object as JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtobufObject } from './decode.js';

const skip = spawnSync('kubectl', ['version', '--client'], { timeout: 10_000 }).status !== 0 ? 'kubectl is not installed' : false;

const JSON_HEADERS = { 'Content-Type': 'application/json' };

const resource = (name: string, kind: string, namespaced: boolean, shortNames: string[]) => ({
  name,
  singularName: kind.toLowerCase(),
  namespaced,
  kind,
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  shortNames,
});

const DISCOVERY: Record<string, unknown> = {
  '/version': { major: '1', minor: '32', gitVersion: 'v1.32.4', platform: 'linux/amd64' },
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] },
  '/apis': {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } }],
  },
  '/api/v1': {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      resource('namespaces', 'Namespace', false, ['ns']),
      resource('services', 'Service', true, ['svc']),
      resource('configmaps', 'ConfigMap', true, ['cm']),
    ],
  },
  '/apis/apps/v1': { kind: 'APIResourceList', groupVersion: 'apps/v1', resources: [resource('deployments', 'Deployment', true, ['deploy'])] },
};

interface Captured {
  contentType: string;
  body: Buffer;
}

async function capture(args: string[]): Promise<Captured> {
  const dir = await mkdtemp(join(tmpdir(), 'kubesvc-pb-'));
  let got: Captured | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && DISCOVERY[path]) {
        res.writeHead(200, JSON_HEADERS).end(JSON.stringify(DISCOVERY[path]));
        return;
      }
      if (req.method === 'POST') {
        got = { contentType: String(req.headers['content-type']), body: Buffer.concat(chunks) };
        try {
          const obj = decodeProtobufObject(got.body);
          res.writeHead(201, JSON_HEADERS).end(JSON.stringify(obj));
        } catch (e) {
          res.writeHead(400, JSON_HEADERS).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: String(e), code: 400 }));
        }
        return;
      }
      res.writeHead(404, JSON_HEADERS).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(
        'kubectl',
        [`--server=http://127.0.0.1:${port}`, ...args],
        { env: { ...process.env, KUBECACHEDIR: join(dir, 'cache'), HOME: dir, KUBECONFIG: join(dir, 'none') }, timeout: 30_000 },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stdout}${stderr}`)) : resolve()),
      );
    });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  }
  assert.ok(got, 'kubectl sent no POST');
  return got;
}

test('kubectl create service clusterip: protobuf body decodes to the JSON kubectl means', { skip }, async () => {
  const { contentType, body } = await capture(['create', 'service', 'clusterip', 'my-svc', '--tcp=80:8080']);
  assert.equal(contentType, 'application/vnd.kubernetes.protobuf');
  assert.deepEqual(decodeProtobufObject(body), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'my-svc', labels: { app: 'my-svc' } },
    spec: {
      ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }],
      selector: { app: 'my-svc' },
      type: 'ClusterIP',
    },
    status: { loadBalancer: {} },
  });
});

test('kubectl create service nodeport keeps the nodePort', { skip }, async () => {
  const { body } = await capture(['create', 'service', 'nodeport', 'my-svc-np', '--tcp=80:8080', '--node-port=30080']);
  const obj = decodeProtobufObject(body) as { spec: { type: string; ports: unknown[] } };
  assert.equal(obj.spec.type, 'NodePort');
  assert.deepEqual(obj.spec.ports, [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }]);
});

test('kubectl create deployment: template, containers and replicas', { skip }, async () => {
  const { body } = await capture(['create', 'deployment', 'web', '--image=nginx', '--replicas=3', '--port=8080']);
  assert.deepEqual(decodeProtobufObject(body), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 8080 }], resources: {} }] },
      },
      strategy: {},
    },
    status: {},
  });
});

test('kubectl create deployment --replicas=0 keeps replicas 0 (a pointer field)', { skip }, async () => {
  const { body } = await capture(['create', 'deployment', 'zero', '--image=busybox:1.36', '--replicas=0', '--', 'sleep', '3600']);
  const obj = decodeProtobufObject(body) as { spec: { replicas: number; template: { spec: { containers: unknown[] } } } };
  assert.equal(obj.spec.replicas, 0);
  assert.deepEqual(obj.spec.template.spec.containers, [{ name: 'busybox', image: 'busybox:1.36', command: ['sleep', '3600'], resources: {} }]);
});

test('kubectl create namespace', { skip }, async () => {
  const { body } = await capture(['create', 'namespace', 'team-a']);
  assert.deepEqual(decodeProtobufObject(body), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' }, spec: {}, status: {} });
});

test('kubectl create configmap: data keys and values', { skip }, async () => {
  const { body } = await capture(['create', 'configmap', 'cfg', '--from-literal=a=1', '--from-literal=empty=']);
  assert.deepEqual(decodeProtobufObject(body), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '1', empty: '' } });
});

test('kubectl create service externalname and loadbalancer', { skip }, async () => {
  const ext = decodeProtobufObject((await capture(['create', 'service', 'externalname', 'db', '--external-name=db.example.com'])).body);
  assert.deepEqual(ext.spec, { type: 'ExternalName', externalName: 'db.example.com', selector: { app: 'db' } });
  const lb = decodeProtobufObject((await capture(['create', 'service', 'loadbalancer', 'lb', '--tcp=443:8443'])).body);
  assert.deepEqual(lb.spec, { ports: [{ name: '443-8443', protocol: 'TCP', port: 443, targetPort: 8443 }], selector: { app: 'lb' }, type: 'LoadBalancer' });
});

test('kubectl create configmap --from-file with binary content fills binaryData (base64)', { skip }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kubesvc-pb-file-'));
  try {
    const bin = Buffer.from([0, 1, 2, 0xff, 0xfe]);
    await writeFile(join(dir, 'blob.bin'), bin);
    await writeFile(join(dir, 'app.conf'), 'port=80\n');
    const { body } = await capture(['create', 'configmap', 'files', `--from-file=${join(dir, 'blob.bin')}`, `--from-file=${join(dir, 'app.conf')}`]);
    assert.deepEqual(decodeProtobufObject(body), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'files' },
      data: { 'app.conf': 'port=80\n' },
      binaryData: { 'blob.bin': bin.toString('base64') },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
