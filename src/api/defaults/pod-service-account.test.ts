import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { admitPodServiceAccount, mirrorServiceAccountAlias } from './pod-service-account.js';

const pod = (spec: Partial<Pod['spec']> = {}, annotations?: Record<string, string>): Pod => ({
  metadata: { name: 'p', annotations },
  spec: { containers: [{ name: 'c' }], ...spec },
});

test('admission: a pod without a service account runs as "default", with the deprecated alias', () => {
  const p = pod();
  admitPodServiceAccount(p);
  assert.equal(p.spec?.serviceAccountName, 'default');
  assert.equal(p.spec?.serviceAccount, 'default');
  const named = pod({ serviceAccountName: 'builder' });
  admitPodServiceAccount(named);
  assert.equal(named.spec?.serviceAccountName, 'builder');
  assert.equal(named.spec?.serviceAccount, 'builder');
  const mirror = pod({}, { 'kubernetes.io/config.mirror': 'abc' });
  admitPodServiceAccount(mirror);
  assert.equal(mirror.spec?.serviceAccountName, undefined, 'mirror pods are left alone');
});

test('conversion: the alias fills an empty serviceAccountName and always mirrors it', () => {
  const old = pod({ serviceAccount: 'legacy' });
  mirrorServiceAccountAlias(old.spec);
  assert.equal(old.spec?.serviceAccountName, 'legacy');
  const both = pod({ serviceAccountName: 'new', serviceAccount: 'stale' });
  mirrorServiceAccountAlias(both.spec);
  assert.equal(both.spec?.serviceAccount, 'new');
  const none = pod();
  mirrorServiceAccountAlias(none.spec);
  assert.equal('serviceAccount' in (none.spec ?? {}), false);
});
