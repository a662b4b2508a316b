import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.js';
import { RESOURCES } from '../resources.js';
import { parseFieldSelector } from './fields.js';

const res = (kind: string) => {
  const r = RESOURCES.find((x) => x.kind === kind);
  assert.ok(r);
  return r;
};

function badRequestMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 400);
    return e.message;
  }
  assert.fail('expected a BadRequest');
}

test('metadata.name and metadata.namespace with =, ==, !=', () => {
  const s = parseFieldSelector('metadata.name=web,metadata.namespace!=kube-system', res('Service'));
  assert.equal(s.matches({ metadata: { name: 'web', namespace: 'default' } }), true);
  assert.equal(s.matches({ metadata: { name: 'web', namespace: 'kube-system' } }), false);
  assert.equal(s.matches({ metadata: { name: 'db', namespace: 'default' } }), false);
  assert.equal(s.requiresExactMatch('metadata.name'), 'web');
  assert.equal(parseFieldSelector('metadata.name==web', res('ConfigMap')).matches({ metadata: { name: 'web' } }), true);
  assert.equal(parseFieldSelector('', res('Pod')).empty, true);
});

test('pod fields', () => {
  const pod = {
    metadata: { name: 'p' },
    spec: { nodeName: 'n1', restartPolicy: 'Always', hostNetwork: true },
    status: { phase: 'Running', podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }] },
  };
  const r = res('Pod');
  assert.equal(parseFieldSelector('spec.nodeName=n1,status.phase=Running', r).matches(pod), true);
  assert.equal(parseFieldSelector('status.phase!=Running', r).matches(pod), false);
  assert.equal(parseFieldSelector('spec.hostNetwork=true', r).matches(pod), true);
  assert.equal(parseFieldSelector('spec.hostNetwork=false', r).matches({ spec: {} }), true);
  assert.equal(parseFieldSelector('status.podIP=10.244.0.5', r).matches(pod), true);
  assert.equal(parseFieldSelector('spec.nodeName=', r).matches({ spec: {} }), true);
});

test('event, service, node, namespace, replicaset fields', () => {
  const ev = { metadata: { name: 'e' }, involvedObject: { kind: 'Service', name: 'web', namespace: 'default', uid: 'u1' }, reason: 'X', type: 'Normal', source: { component: 'c' } };
  assert.equal(parseFieldSelector('involvedObject.name=web,involvedObject.kind=Service,involvedObject.uid=u1', res('Event')).matches(ev), true);
  assert.equal(parseFieldSelector('source=c,type=Normal,reason=X', res('Event')).matches(ev), true);
  assert.equal(parseFieldSelector('spec.type=NodePort', res('Service')).matches({ spec: { type: 'NodePort' } }), true);
  assert.equal(parseFieldSelector('spec.unschedulable=false', res('Node')).matches({ spec: {} }), true);
  assert.equal(parseFieldSelector('status.phase=Active', res('Namespace')).matches({ status: { phase: 'Active' } }), true);
  assert.equal(parseFieldSelector('status.replicas=0', res('ReplicaSet')).matches({ status: {} }), true);
});

test('escaped values', () => {
  const s = parseFieldSelector('metadata.name=a\\,b', res('ConfigMap'));
  assert.equal(s.matches({ metadata: { name: 'a,b' } }), true);
  assert.equal(s.toString(), 'metadata.name=a\\,b');
});

test('unsupported fields and bad syntax: kube-apiserver texts', () => {
  assert.equal(badRequestMessage(() => parseFieldSelector('spec.foo=1', res('Service'))), 'field label not supported: spec.foo');
  assert.equal(badRequestMessage(() => parseFieldSelector('metadata.namespace=x', res('Node'))), 'field label not supported: metadata.namespace');
  assert.equal(
    badRequestMessage(() => parseFieldSelector('data.x=1', res('ConfigMap'))),
    '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"',
  );
  assert.equal(badRequestMessage(() => parseFieldSelector('metadata.name', res('Pod'))), "invalid selector: 'metadata.name'; can't understand 'metadata.name'");
  assert.equal(badRequestMessage(() => parseFieldSelector('metadata.name=a=b', res('Pod'))), 'invalid field selector: unescaped character in value: 61');
});
