import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../field-errors.js';
import { validateMetadataExtras } from './objectmeta.js';

test('metadata finalizers: standard names or domain-qualified ones', () => {
  assert.deepEqual(validateMetadataExtras({ finalizers: ['kubernetes', 'foregroundDeletion', 'orphan', 'example.com/cleanup'] }), []);
  assert.deepEqual(validateMetadataExtras({ finalizers: ['cleanup', 'a b/c'] }).map(formatFieldError), [
    'metadata.finalizers[0]: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified',
    `metadata.finalizers[1]: Invalid value: "a b/c": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
  ]);
});

test('owner references need apiVersion, kind, name and uid; one controller at most', () => {
  const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true };
  assert.deepEqual(validateMetadataExtras({ ownerReferences: [ref] }), []);
  assert.deepEqual(
    validateMetadataExtras({ ownerReferences: [{ apiVersion: 'apps/', kind: '', name: 'x', uid: '' }] }).map(formatFieldError),
    [
      'metadata.ownerReferences[0].apiVersion: Invalid value: "apps/": version must not be empty',
      'metadata.ownerReferences[0].kind: Invalid value: "": must not be empty',
      'metadata.ownerReferences[0].uid: Invalid value: "": must not be empty',
    ],
  );
  const two = validateMetadataExtras({ ownerReferences: [ref, { ...ref, name: 'rs2', uid: 'u2' }] });
  assert.equal(two.length, 1);
  assert.match(formatFieldError(two[0]), /Only one reference can have Controller set to true\. Found "true" in references for "ReplicaSet\/rs", "ReplicaSet\/rs2"$/);
});
