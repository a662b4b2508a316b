// Answers to the review kinds (`kubectl auth whoami`, `kubectl auth can-i [--list]`). kubesvc
// has no authentication or authorization: every request is served, as with kube-apiserver's
// AlwaysAllow authorizer, so the caller is reported as an admin and every question gets "yes".
// The request's spec is checked as kube-apiserver checks it, so a malformed review is a 422.
import { invalid } from '../api/errors.js';
import { invalid as invalidField, type FieldError } from '../api/field-errors.js';
import type { KubeObject } from '../api/object.js';
import { apiVersionOf, type ResourceInfo } from '../api/resources.js';

/** Who every caller is: the name and groups k3s gives its admin kubeconfig. */
export const ADMIN_USER = { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] };

const REASON = 'kubesvc has no authorization: every request is allowed';

type Spec = Record<string, unknown>;

// kube-apiserver's checks of a SelfSubjectAccessReview spec (one kind of attributes, exactly).
function accessReviewStatus(res: ResourceInfo, spec: Spec): Record<string, unknown> {
  const resource = spec.resourceAttributes ?? null;
  const nonResource = spec.nonResourceAttributes ?? null;
  const errs: FieldError[] = [];
  if (resource !== null && nonResource !== null) errs.push(invalidField('spec.nonResourceAttributes', nonResource, 'cannot be specified in combination with resourceAttributes'));
  if (resource === null && nonResource === null) errs.push(invalidField('spec.resourceAttributes', null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  if (errs.length) throw invalid(res.group, res.kind, '', errs);
  return { allowed: true, reason: REASON };
}

function rulesReviewStatus(): Record<string, unknown> {
  return {
    resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
    nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
    incomplete: false,
  };
}

/** The answered review: the request's spec with its status, as kube-apiserver returns it (201). */
export function answerReview(res: ResourceInfo, body: KubeObject): KubeObject {
  const spec = ((body as { spec?: Spec }).spec ?? {}) as Spec;
  const head = { kind: res.kind, apiVersion: apiVersionOf(res), metadata: { creationTimestamp: null } };
  switch (res.kind) {
    case 'SelfSubjectReview':
      return { ...head, status: { userInfo: ADMIN_USER } } as unknown as KubeObject;
    case 'SelfSubjectAccessReview':
      return { ...head, spec, status: accessReviewStatus(res, spec) } as unknown as KubeObject;
    case 'SelfSubjectRulesReview':
      return { ...head, spec, status: rulesReviewStatus() } as unknown as KubeObject;
    default:
      throw new Error(`no answer for review kind ${res.kind}`);
  }
}
