// ConfigMap validation as pkg/apis/core/validation (ValidateConfigMap, ValidateConfigMapUpdate).
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import * as fe from '../field-errors.js';
import type { FieldError } from '../field-errors.js';
import { deepEqual } from './common.js';

/** core.MaxSecretSize, which also bounds a ConfigMap's data. */
export const MAX_CONFIGMAP_SIZE = 1024 * 1024;

const KEY_RE = /^[-._a-zA-Z0-9]+$/;

/** validation.IsConfigMapKey. */
export function isConfigMapKey(key: string): string[] {
  const errs: string[] = [];
  if (key.length > 253) errs.push('must be no more than 253 characters');
  if (!KEY_RE.test(key)) {
    errs.push(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    );
  }
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

export function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs: FieldError[] = [];
  const data = cm.data ?? {};
  const binary = cm.binaryData ?? {};
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    size += Buffer.byteLength(String(v));
    for (const m of isConfigMapKey(k)) errs.push(fe.invalid(`data[${k}]`, k, m));
    if (k in binary) errs.push(fe.invalid(`data[${k}]`, k, 'duplicate of key present in binaryData'));
  }
  for (const [k, v] of Object.entries(binary)) {
    size += Buffer.from(String(v), 'base64').length;
    for (const m of isConfigMapKey(k)) errs.push(fe.invalid(`binaryData[${k}]`, k, m));
    if (k in data) errs.push(fe.invalid(`binaryData[${k}]`, k, 'duplicate of key present in data'));
  }
  if (size > MAX_CONFIGMAP_SIZE) errs.push(fe.tooLong('', '', MAX_CONFIGMAP_SIZE));
  return errs;
}

export function validateConfigMapUpdate(cm: ConfigMap, old: ConfigMap): FieldError[] {
  const errs = validateConfigMap(cm);
  if (old.immutable) {
    const why = 'field is immutable when `immutable` is set';
    if (!cm.immutable) errs.push(fe.forbidden('immutable', why));
    if (!deepEqual(cm.data ?? {}, old.data ?? {})) errs.push(fe.forbidden('data', why));
    if (!deepEqual(cm.binaryData ?? {}, old.binaryData ?? {})) errs.push(fe.forbidden('binaryData', why));
  }
  return errs;
}
