import { test } from 'node:test';
import assert from 'node:assert/strict';
import { negotiate, notAcceptableMessage, parseAccept } from './discovery-negotiate.js';

const SERVED = ['application/json', 'application/yaml'];
const noConvert = (c: unknown) => c === undefined;

test('parseAccept orders by quality, then specificity, keeping client order for ties', () => {
  const c = parseAccept('*/*;q=0.5, application/*, application/yaml;q=0.9, text/plain, application/json;q=0');
  assert.deepEqual(
    c.map((x) => `${x.type}/${x.subtype};${x.q}`),
    ['text/plain;1', 'application/*;1', 'application/yaml;0.9', '*/*;0.5'],
  );
});

test('parseAccept keeps media-type parameters', () => {
  const [c] = parseAccept('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  assert.deepEqual(c.params, { g: 'apidiscovery.k8s.io', v: 'v2', as: 'APIGroupDiscoveryList' });
});

test('empty Accept picks the first served type', () => {
  assert.equal(negotiate(undefined, SERVED, noConvert)?.mediaType, 'application/json');
  assert.equal(negotiate('', SERVED, noConvert)?.mediaType, 'application/json');
});

test('wildcards match', () => {
  assert.equal(negotiate('*/*', SERVED, noConvert)?.mediaType, 'application/json');
  assert.equal(negotiate('application/*', SERVED, noConvert)?.mediaType, 'application/json');
  assert.equal(negotiate('application/yaml, application/json', SERVED, noConvert)?.mediaType, 'application/yaml');
});

test('conversion clauses are skipped where not allowed (Table Accept on discovery)', () => {
  const got = negotiate('application/json;as=Table;v=v1;g=meta.k8s.io,application/json', SERVED, noConvert);
  assert.deepEqual(got, { mediaType: 'application/json', pretty: false });
});

test('an allowed conversion is returned', () => {
  const got = negotiate('application/json;g=x;v=v2;as=K', SERVED, (c) => c?.kind === 'K');
  assert.deepEqual(got?.convert, { kind: 'K', group: 'x', version: 'v2' });
});

test('nothing acceptable gives undefined and the kube-apiserver message', () => {
  assert.equal(negotiate('text/html', SERVED, noConvert), undefined);
  assert.equal(negotiate('application/vnd.kubernetes.protobuf', SERVED, noConvert), undefined);
  assert.equal(
    notAcceptableMessage(SERVED),
    'only the following media types are accepted: application/json, application/yaml',
  );
});
