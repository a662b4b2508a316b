import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import { invalid } from '../errors.js';
import { formatFieldError } from '../field-errors.js';
import { setDeploymentDefaults, setReplicaSetDefaults, setStatefulSetDefaults } from '../defaults/workloads.js';
import { validateDeployment, validateDeploymentUpdate } from './deployment.js';
import { validateReplicaSet } from './replicaset.js';
import { validateStatefulSet, validateStatefulSetUpdate } from './statefulset.js';

const template = (labels: Record<string, string>) => ({ metadata: { labels }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } });

function deployment(spec: object): Deployment {
  const d = { metadata: { name: 'web', namespace: 'default' }, spec } as Deployment;
  setDeploymentDefaults(d);
  return d;
}

test('deployment: selector must match the template labels (kubectl-visible message)', () => {
  const d = deployment({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'api', tier: 'x' }) });
  assert.equal(
    invalid('apps', 'Deployment', 'web', validateDeployment(d)).message,
    'Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"api", "tier":"x"}: `selector` does not match template `labels`',
  );
  assert.deepEqual(validateDeployment(deployment({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web', v: '1' }) })), []);
  const expr = deployment({ selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['a', 'b'] }] }, template: template({ app: 'b' }) });
  assert.deepEqual(validateDeployment(expr), []);
});

test('deployment: selector required or non-empty, replicas, strategy and template restartPolicy', () => {
  const errs = (d: Deployment) => validateDeployment(d).map(formatFieldError);
  assert.deepEqual(errs(deployment({ template: template({ app: 'x' }) })), [
    'spec.selector: Required value',
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`',
  ]);
  assert.deepEqual(errs(deployment({ selector: {}, template: template({ app: 'x' }) })), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
  ]);
  const bad = deployment({
    replicas: -1,
    selector: { matchLabels: { app: 'x' } },
    template: { ...template({ app: 'x' }), spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } },
  });
  assert.deepEqual(errs(bad), [
    'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0%: may not be 0 when `maxSurge` is 0',
  ]);
  const pct = deployment({ selector: { matchLabels: { app: 'x' } }, template: template({ app: 'x' }), strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 'lots' } } });
  assert.deepEqual(errs(pct), [
    "spec.strategy.rollingUpdate.maxSurge: Invalid value: lots: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
  ]);
  const recreate = deployment({ selector: { matchLabels: { app: 'x' } }, template: template({ app: 'x' }), strategy: { type: 'Recreate', rollingUpdate: {} } });
  assert.deepEqual(errs(recreate), ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]);
});

test('deployment: the selector is immutable', () => {
  const old = deployment({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web', v: '2' }) });
  const next = structuredClone(old);
  next.spec!.selector = { matchLabels: { app: 'web', v: '2' } };
  assert.deepEqual(validateDeploymentUpdate(next, old).map(formatFieldError), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "v":"2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  ]);
  const scaled = structuredClone(old);
  scaled.spec!.replicas = 5;
  assert.deepEqual(validateDeploymentUpdate(scaled, old), []);
});

test('replicaset: the same selector rules', () => {
  const rs = { metadata: { name: 'r' }, spec: { selector: { matchLabels: { a: 'b' } }, template: template({ a: 'c' }) } } as ReplicaSet;
  setReplicaSetDefaults(rs);
  assert.deepEqual(validateReplicaSet(rs).map(formatFieldError), [
    'spec.template.metadata.labels: Invalid value: map[string]string{"a":"c"}: `selector` does not match template `labels`',
  ]);
});

test('statefulset: valid defaults; update may change only some fields', () => {
  const sts = { metadata: { name: 's' }, spec: { serviceName: 'web', selector: { matchLabels: { app: 's' } }, template: template({ app: 's' }) } } as StatefulSet;
  setStatefulSetDefaults(sts);
  assert.deepEqual(validateStatefulSet(sts), []);
  const scaled = structuredClone(sts);
  scaled.spec!.replicas = 3;
  scaled.spec!.template.spec!.containers[0].image = 'nginx:2';
  assert.deepEqual(validateStatefulSetUpdate(scaled, sts), []);
  const renamed = structuredClone(sts);
  renamed.spec!.serviceName = 'other';
  assert.deepEqual(validateStatefulSetUpdate(renamed, sts).map(formatFieldError), [
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  ]);
  const bad = structuredClone(sts);
  bad.spec!.podManagementPolicy = 'Sometimes';
  bad.spec!.serviceName = 'Web';
  assert.deepEqual(validateStatefulSet(bad).map((e) => e.field), ['spec.podManagementPolicy', 'spec.serviceName']);
});
