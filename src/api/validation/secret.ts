// Secret validation as pkg/apis/core/validation (ValidateSecret, ValidateSecretUpdate): ConfigMap's
// key syntax, the 1 MiB total, the keys each well-known type requires, and no change of type, or of
// data once `immutable` is set.
import type { Secret } from 'kubernetes-types/core/v1.js';
import * as fe from '../field-errors.js';
import type { FieldError } from '../field-errors.js';
import { deepEqual, immutable } from './common.js';
import { MAX_CONFIGMAP_SIZE, isConfigMapKey } from './configmap.js';

/** core.MaxSecretSize. */
export const MAX_SECRET_SIZE = MAX_CONFIGMAP_SIZE;

export const SECRET_TYPE_OPAQUE = 'Opaque';
export const SECRET_TYPE_SA_TOKEN = 'kubernetes.io/service-account-token';
export const SECRET_TYPE_DOCKERCFG = 'kubernetes.io/dockercfg';
export const SECRET_TYPE_DOCKERCONFIGJSON = 'kubernetes.io/dockerconfigjson';
export const SECRET_TYPE_BASIC_AUTH = 'kubernetes.io/basic-auth';
export const SECRET_TYPE_SSH_AUTH = 'kubernetes.io/ssh-auth';
export const SECRET_TYPE_TLS = 'kubernetes.io/tls';
/** The annotation a service-account-token Secret must carry. */
export const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';

/**
 * Go's `encoding/json` error for bytes that do not unmarshal into a map[string]interface{}: exact
 * for empty input, a bad first character and a non-object value; other syntax errors are reported
 * as truncation, Go's text for the most common case (a cut-off file).
 */
export function goJsonMapError(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return 'unexpected end of JSON input';
  let v: unknown;
  try {
    v = JSON.parse(trimmed);
  } catch {
    const first = trimmed[0]!;
    if (!'{["-0123456789tfn'.includes(first)) return `invalid character '${first}' looking for beginning of value`;
    return 'unexpected end of JSON input';
  }
  if (v === null || (typeof v === 'object' && !Array.isArray(v))) return undefined;
  const kind = Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v;
  return `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`;
}

const decoded = (v: string | undefined) => Buffer.from(v ?? '', 'base64');

export function validateSecret(s: Secret): FieldError[] {
  const errs: FieldError[] = [];
  const data = s.data ?? {};
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) errs.push(fe.invalid(`data[${k}]`, k, m));
    size += decoded(v).length;
  }
  if (size > MAX_SECRET_SIZE) errs.push(fe.tooLong('data', '', MAX_SECRET_SIZE));
  const has = (k: string) => Object.prototype.hasOwnProperty.call(data, k);
  const redacted = '<secret contents redacted>';
  switch (s.type) {
    case SECRET_TYPE_SA_TOKEN:
      // Only the name is required: a token controller would add the uid and token later.
      if (!s.metadata?.annotations?.[SA_NAME_ANNOTATION]) errs.push(fe.required(`metadata.annotations[${SA_NAME_ANNOTATION}]`));
      break;
    case SECRET_TYPE_DOCKERCFG:
    case SECRET_TYPE_DOCKERCONFIGJSON: {
      const key = s.type === SECRET_TYPE_DOCKERCFG ? '.dockercfg' : '.dockerconfigjson';
      if (!has(key)) {
        errs.push(fe.required(`data[${key}]`));
        break;
      }
      const bad = goJsonMapError(decoded(data[key]).toString('utf8'));
      if (bad) errs.push(fe.invalid(`data[${key}]`, redacted, bad));
      break;
    }
    case SECRET_TYPE_BASIC_AUTH:
      // Either may be empty, but one must be there. Kubernetes builds these paths with a literal
      // "data[%s]" path element, which is what its messages show.
      if (!has('username') && !has('password')) errs.push(fe.required('data[%s][username]'), fe.required('data[%s][password]'));
      break;
    case SECRET_TYPE_SSH_AUTH:
      if (decoded(data['ssh-privatekey']).length === 0) errs.push(fe.required('data[%s][ssh-privatekey]'));
      break;
    case SECRET_TYPE_TLS:
      if (!has('tls.crt')) errs.push(fe.required('data[tls.crt]'));
      if (!has('tls.key')) errs.push(fe.required('data[tls.key]'));
      break;
    default:
  }
  return errs;
}

export function validateSecretUpdate(s: Secret, old: Secret): FieldError[] {
  const errs = immutable(s.type, old.type, 'type');
  if (old.immutable) {
    const why = 'field is immutable when `immutable` is set';
    if (!s.immutable) errs.push(fe.forbidden('immutable', why));
    if (!deepEqual(s.data ?? {}, old.data ?? {})) errs.push(fe.forbidden('data', why));
  }
  return [...errs, ...validateSecret(s)];
}
