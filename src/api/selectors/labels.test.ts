import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.js';
import { fromLabelSelectorObject, parseLabelSelector } from './labels.js';

function badRequestMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, `expected StatusError, got ${String(e)}`);
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    return e.message;
  }
  assert.fail('expected a BadRequest');
}

test('equality operators', () => {
  const s = parseLabelSelector('app=web,tier==front,env!=prod');
  assert.equal(s.empty, false);
  assert.equal(s.matches({ app: 'web', tier: 'front' }), true);
  assert.equal(s.matches({ app: 'web', tier: 'front', env: 'dev' }), true);
  assert.equal(s.matches({ app: 'web', tier: 'front', env: 'prod' }), false);
  assert.equal(s.matches({ app: 'web' }), false);
  assert.equal(s.matches(undefined), false);
  assert.equal(s.toString(), 'app=web,env!=prod,tier==front');
});

test('set-based and existence operators', () => {
  const s = parseLabelSelector('env in (prod, qa),tier notin (cache),app,!legacy');
  assert.equal(s.matches({ env: 'qa', app: 'x' }), true);
  assert.equal(s.matches({ env: 'dev', app: 'x' }), false);
  assert.equal(s.matches({ env: 'qa', app: 'x', tier: 'cache' }), false);
  assert.equal(s.matches({ env: 'qa', app: 'x', legacy: '' }), false);
  assert.equal(s.matches({ env: 'qa' }), false);
  assert.equal(s.toString(), 'app,env in (prod,qa),!legacy,tier notin (cache)');
});

test('in/notin as values, empty values, gt/lt', () => {
  assert.equal(parseLabelSelector('x in (in,notin)').matches({ x: 'notin' }), true);
  assert.equal(parseLabelSelector('x=').matches({ x: '' }), true);
  assert.equal(parseLabelSelector('x in ()').matches({ x: '' }), true);
  assert.equal(parseLabelSelector('x in (a,)').matches({ x: '' }), true);
  assert.equal(parseLabelSelector('n>3').matches({ n: '4' }), true);
  assert.equal(parseLabelSelector('n<3').matches({ n: '4' }), false);
  assert.equal(parseLabelSelector('n>3').matches({ n: 'x' }), false);
});

test('empty selector matches everything', () => {
  const s = parseLabelSelector('');
  assert.equal(s.empty, true);
  assert.equal(s.matches(undefined), true);
  assert.equal(parseLabelSelector('  ').empty, true);
});

test('prefixed keys', () => {
  const s = parseLabelSelector('kubernetes.io/service-name=web');
  assert.equal(s.matches({ 'kubernetes.io/service-name': 'web' }), true);
});

test('syntax errors carry apimachinery texts', () => {
  assert.equal(badRequestMessage(() => parseLabelSelector('a b')), "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
  assert.equal(badRequestMessage(() => parseLabelSelector('a=b c')), "found 'c', expected: ',' or 'end of string'");
  assert.equal(badRequestMessage(() => parseLabelSelector('a=b,')), "found '', expected: identifier after ','");
  assert.equal(badRequestMessage(() => parseLabelSelector('=a')), "found '=', expected: !, identifier, or 'end of string'");
  assert.equal(badRequestMessage(() => parseLabelSelector('a in b')), "unable to parse requirement: found 'b' expected: '('");
  assert.equal(badRequestMessage(() => parseLabelSelector('a in (b')), "unable to parse requirement: found '', expected: ',' or ')'");
  assert.equal(badRequestMessage(() => parseLabelSelector('a (b)')), "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt");
  assert.equal(badRequestMessage(() => parseLabelSelector('!a=b')), "found '=', expected: ',' or 'end of string'");
  assert.match(
    badRequestMessage(() => parseLabelSelector('-a=b')),
    /^unable to parse requirement: <nil>: Invalid value: "-a": name part must consist of alphanumeric characters/,
  );
  assert.match(
    badRequestMessage(() => parseLabelSelector('a=-b')),
    /^unable to parse requirement: values\[0\]\[a\]: Invalid value: "-b": a valid label must be an empty string or consist of alphanumeric characters/,
  );
});

test('fromLabelSelectorObject: null selects nothing, {} everything', () => {
  const none = fromLabelSelectorObject(null);
  assert.equal(none.matches({}), false);
  assert.equal(none.empty, false);
  const all = fromLabelSelectorObject({});
  assert.equal(all.empty, true);
  assert.equal(all.matches({ a: 'b' }), true);
});

test('fromLabelSelectorObject: matchLabels and matchExpressions are ANDed', () => {
  const s = fromLabelSelectorObject({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'env', operator: 'In', values: ['qa', 'prod'] },
      { key: 'tier', operator: 'NotIn', values: ['db'] },
      { key: 'team', operator: 'Exists' },
      { key: 'old', operator: 'DoesNotExist' },
    ],
  });
  assert.equal(s.matches({ app: 'web', env: 'prod', team: 'a' }), true);
  assert.equal(s.matches({ app: 'web', env: 'prod' }), false);
  assert.equal(s.matches({ app: 'web', env: 'prod', team: 'a', tier: 'db' }), false);
  assert.equal(s.matches({ app: 'web', env: 'prod', team: 'a', old: '1' }), false);
  assert.equal(s.toString(), 'app=web,env in (prod,qa),!old,team,tier notin (db)');
  assert.equal(
    badRequestMessage(() => fromLabelSelectorObject({ matchExpressions: [{ key: 'a', operator: 'Foo' }] })),
    '"Foo" is not a valid label selector operator',
  );
  assert.equal(
    badRequestMessage(() => fromLabelSelectorObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })),
    "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty",
  );
});
