// The Service exercises users know, with the real kubectl against `kubesvc up`: node ports from
// `expose`, a requested node port taken or out of range, unnamed ports refused, ClusterIP
// immutability, ExternalName, `get svc` columns, and delete giving values back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Cluster, eventually, startCluster } from '../helpers/cluster.js';
import { fails, json, ok, row } from '../helpers/output.js';

interface Svc {
  spec: { clusterIP?: string; type?: string; ports: { port: number; nodePort?: number; protocol?: string }[] };
  status?: { loadBalancer?: { ingress?: { ip?: string }[] } };
}

const twoUnnamedPorts = `apiVersion: v1
kind: Service
metadata:
  name: two
spec:
  selector:
    app: web
  ports:
  - port: 80
  - port: 443
`;

describe('Service semantics through kubectl', () => {
  let c: Cluster;
  const get = async (name: string) => json<Svc>(await c.kubectl(['get', 'svc', name, '-o', 'json']));

  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.cleanup();
  });

  test('kubernetes Service holds the first address', async () => {
    assert.equal((await get('kubernetes')).spec.clusterIP, '10.96.0.1');
  });

  test('expose --type=NodePort gets a node port in range', async () => {
    ok(await c.kubectl(['create', 'deployment', 'web', '--image=nginx', '--port=8080']));
    assert.equal(ok(await c.kubectl(['expose', 'deployment', 'web', '--port=80', '--target-port=8080', '--type=NodePort'])), 'service/web exposed\n');
    const s = await get('web');
    const np = s.spec.ports[0].nodePort ?? 0;
    assert.ok(np >= 30000 && np <= 32767, String(np));
    assert.match(s.spec.clusterIP ?? '', /^10\.(9[6-9]|10\d|11[01])\./);
  });

  test('a requested node port: created, then refused as taken, and refused out of range', async () => {
    assert.equal(ok(await c.kubectl(['create', 'service', 'nodeport', 'my-svc', '--tcp=80:8080', '--node-port=30080'])), 'service/my-svc created\n');
    assert.equal((await get('my-svc')).spec.ports[0].nodePort, 30080);
    // Allocation runs before the name is checked, as in kube-apiserver: the port error wins.
    assert.match(fails(await c.kubectl(['create', 'service', 'nodeport', 'my-svc', '--tcp=80:8080', '--node-port=30080'])), /spec\.ports\[0\]\.nodePort: Invalid value: 30080: provided port is already allocated/);
    assert.match(fails(await c.kubectl(['create', 'service', 'nodeport', 'other', '--tcp=80:8080', '--node-port=30080'])), /provided port is already allocated/);
    assert.match(
      fails(await c.kubectl(['create', 'service', 'nodeport', 'low', '--tcp=80:8080', '--node-port=8080'])),
      /spec\.ports\[0\]\.nodePort: Invalid value: 8080: provided port is not in the valid range\. The range of valid ports is 30000-32767/,
    );
  });

  test('two ports without names are refused with the Kubernetes message', async () => {
    const err = fails(await c.kubectl(['apply', '-f', '-'], { stdin: twoUnnamedPorts }));
    assert.match(err, /The Service "two" is invalid/);
    assert.match(err, /spec\.ports\[0\]\.name: Required value/);
    assert.match(err, /spec\.ports\[1\]\.name: Required value/);
  });

  test('clusterIP cannot change; a taken clusterIP is refused', async () => {
    ok(await c.kubectl(['create', 'service', 'clusterip', 'db', '--tcp=5432', '--clusterip=10.96.0.50']));
    assert.equal((await get('db')).spec.clusterIP, '10.96.0.50');
    assert.match(
      fails(await c.kubectl(['patch', 'svc', 'db', '-p', '{"spec":{"clusterIP":"10.96.0.51","clusterIPs":["10.96.0.51"]}}'])),
      /spec\.clusterIPs\[0\]: Invalid value: \[\]string\{"10\.96\.0\.51"\}: may not change once set/,
    );
    assert.match(
      fails(await c.kubectl(['create', 'service', 'clusterip', 'db2', '--tcp=5432', '--clusterip=10.96.0.50'])),
      /spec\.clusterIPs: Invalid value: \[\]string\{"10\.96\.0\.50"\}: failed to allocate IP 10\.96\.0\.50: provided IP is already allocated/,
    );
  });

  test('get svc: CLUSTER-IP, EXTERNAL-IP and PORT(S) columns', async () => {
    ok(await c.kubectl(['create', 'service', 'loadbalancer', 'lb', '--tcp=443:8443']));
    ok(await c.kubectl(['create', 'service', 'externalname', 'ext', '--external-name=db.example.com']));
    // EXTERNAL-IP is <pending> until the service-lb-controller writes the pool address into the status.
    const lbIP = await eventually(async () => (await get('lb')).status?.loadBalancer?.ingress?.[0]?.ip);
    assert.match(lbIP ?? '', /^10\.250\.0\.\d+$/);
    const out = ok(await c.kubectl(['get', 'svc']));
    assert.match(out.split('\n')[0], /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE/);
    assert.deepEqual(row(out, 'my-svc')?.slice(1, 5), ['NodePort', (await get('my-svc')).spec.clusterIP, '<none>', '80:30080/TCP']);
    const lbNodePort = (await get('lb')).spec.ports[0].nodePort;
    assert.deepEqual(row(out, 'lb')?.slice(1, 5), ['LoadBalancer', (await get('lb')).spec.clusterIP, lbIP, `443:${lbNodePort}/TCP`]);
    assert.deepEqual(row(out, 'ext')?.slice(1, 4), ['ExternalName', '<none>', 'db.example.com']);
    assert.deepEqual(row(out, 'db')?.slice(1, 5), ['ClusterIP', '10.96.0.50', '<none>', '5432/TCP']);
  });

  test('type changes with kubectl patch allocate and release', async () => {
    ok(await c.kubectl(['create', 'service', 'clusterip', 'flip', '--tcp=80:8080']));
    const ip = (await get('flip')).spec.clusterIP;
    ok(await c.kubectl(['patch', 'svc', 'flip', '-p', '{"spec":{"type":"NodePort","ports":[{"port":80,"nodePort":30099}]}}']));
    let s = await get('flip');
    assert.equal(s.spec.type, 'NodePort');
    assert.equal(s.spec.clusterIP, ip);
    assert.equal(s.spec.ports[0].nodePort, 30099);
    ok(await c.kubectl(['patch', 'svc', 'flip', '-p', '{"spec":{"type":"ClusterIP"}}']));
    s = await get('flip');
    assert.equal(s.spec.ports[0].nodePort, undefined);
    assert.equal(s.spec.clusterIP, ip);
    // The node port is free again.
    ok(await c.kubectl(['create', 'service', 'nodeport', 'flop', '--tcp=80:8080', '--node-port=30099']));
    ok(await c.kubectl(['patch', 'svc', 'flip', '--type=merge', '-p', '{"spec":{"type":"ExternalName","externalName":"db.example.com"}}']));
    s = await get('flip');
    assert.equal(s.spec.clusterIP, undefined);
    // Its address is free again too.
    ok(await c.kubectl(['create', 'service', 'clusterip', 'reuse', '--tcp=80', `--clusterip=${ip}`]));
  });

  test('kubectl patch to NodePort or LoadBalancer without a nodePort allocates one; back from ExternalName allocates a clusterIP', async () => {
    ok(await c.kubectl(['create', 'service', 'clusterip', 'grow', '--tcp=80:8080']));
    ok(await c.kubectl(['patch', 'svc', 'grow', '-p', '{"spec":{"type":"NodePort"}}']));
    let s = await get('grow');
    const np = s.spec.ports[0].nodePort ?? 0;
    assert.ok(np >= 30000 && np <= 32767, `nodePort ${np}`);
    assert.match(ok(await c.kubectl(['get', 'svc', 'grow'])), new RegExp(`80:${np}/TCP`));
    ok(await c.kubectl(['patch', 'svc', 'grow', '-p', '{"spec":{"type":"LoadBalancer"}}']));
    s = await get('grow');
    assert.equal(s.spec.ports[0].nodePort, np, 'kept across NodePort → LoadBalancer');
    ok(await c.kubectl(['create', 'service', 'externalname', 'back', '--external-name=db.example.com']));
    ok(await c.kubectl(['patch', 'svc', 'back', '--type=merge', '-p', '{"spec":{"type":"ClusterIP","externalName":null,"ports":[{"port":80}]}}']));
    s = await get('back');
    assert.match(s.spec.clusterIP ?? '', /^10\./);
  });

  test('replace without clusterIP keeps the allocated values; server dry-run allocates nothing', async () => {
    const manifest = `apiVersion: v1
kind: Service
metadata:
  name: keep
spec:
  type: NodePort
  selector:
    app: keep
  ports:
  - name: http
    port: 80
`;
    ok(await c.kubectl(['create', '-f', '-'], { stdin: manifest }));
    const first = await get('keep');
    assert.equal(ok(await c.kubectl(['replace', '-f', '-'], { stdin: manifest })), 'service/keep replaced\n');
    const again = await get('keep');
    assert.equal(again.spec.clusterIP, first.spec.clusterIP);
    assert.equal(again.spec.ports[0].nodePort, first.spec.ports[0].nodePort);
    const dry = json<Svc>(await c.kubectl(['create', 'service', 'nodeport', 'dry', '--tcp=80', '--node-port=30777', '--dry-run=server', '-o', 'json']));
    assert.equal(dry.spec.ports[0].nodePort, 30777);
    assert.match(dry.spec.clusterIP ?? '', /^10\./);
    assert.match(fails(await c.kubectl(['get', 'svc', 'dry'])), /not found/);
    // Nothing was kept: the same port can be had for real.
    ok(await c.kubectl(['create', 'service', 'nodeport', 'dry', '--tcp=80', '--node-port=30777']));
  });

  test('Service names are DNS-1035 labels', async () => {
    const err = fails(await c.kubectl(['apply', '-f', '-'], { stdin: twoUnnamedPorts.replace('name: two', 'name: 1web').replace(/ {2}- port: 443\n/, '') }));
    assert.match(err, /metadata\.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character/);
  });

  test('delete gives the node port back and removes the same-named Endpoints', async () => {
    const ep = `apiVersion: v1
kind: Endpoints
metadata:
  name: my-svc
subsets:
- addresses:
  - ip: 10.244.0.7
  ports:
  - port: 8080
`;
    ok(await c.kubectl(['apply', '-f', '-'], { stdin: ep }));
    assert.equal(ok(await c.kubectl(['delete', 'svc', 'my-svc'])), 'service "my-svc" deleted\n');
    assert.match(fails(await c.kubectl(['get', 'endpoints', 'my-svc'])), /endpoints "my-svc" not found/);
    assert.equal(ok(await c.kubectl(['create', 'service', 'nodeport', 'again', '--tcp=80:8080', '--node-port=30080'])), 'service/again created\n');
  });

  test('allocations survive a restart of kubesvc', async () => {
    ok(await c.kubectl(['create', 'service', 'nodeport', 'durable', '--tcp=80:8080', '--node-port=30444']));
    const ip = (await get('durable')).spec.clusterIP;
    await c.restart();
    assert.equal((await get('durable')).spec.clusterIP, ip);
    assert.match(fails(await c.kubectl(['create', 'service', 'nodeport', 'durable2', '--tcp=80:8080', '--node-port=30444'])), /provided port is already allocated/);
    assert.match(fails(await c.kubectl(['create', 'service', 'clusterip', 'durable3', '--tcp=80', `--clusterip=${ip}`])), /provided IP is already allocated/);
    ok(await c.kubectl(['delete', 'svc', 'durable']));
    ok(await c.kubectl(['create', 'service', 'nodeport', 'durable2', '--tcp=80:8080', '--node-port=30444']));
  });

  test('Endpoints are validated with Kubernetes texts', async () => {
    const bad = `apiVersion: v1
kind: Endpoints
metadata:
  name: bad
subsets:
- addresses:
  - ip: 10.244.0.300
`;
    assert.match(fails(await c.kubectl(['apply', '-f', '-'], { stdin: bad })), /subsets\[0\]\.addresses\[0\]\.ip: Invalid value: "10\.244\.0\.300": must be a valid IP address/);
  });
});
