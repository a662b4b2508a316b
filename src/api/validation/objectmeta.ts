// The parts of ValidateObjectMeta the generic registry's check (src/registry/generic-meta.ts: name,
// namespace, labels, annotations) leaves out: metadata.finalizers and metadata.ownerReferences.
// Strategies add these to their kind's errors.
import type { ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1.js';
import * as fe from '../field-errors.js';
import type { FieldError } from '../field-errors.js';
import { isQualifiedName } from './names.js';

/** Finalizer names Kubernetes accepts without a domain prefix. */
export const STANDARD_FINALIZERS = ['kubernetes', 'orphan', 'foregroundDeletion'];

/** validateFinalizerName: a qualified name, and either standard or domain-prefixed. */
export function validateFinalizerName(name: string, path: string): FieldError[] {
  const msgs = isQualifiedName(name);
  if (msgs.length) return msgs.map((m) => fe.invalid(path, name, m));
  if (!name.includes('/') && !STANDARD_FINALIZERS.includes(name)) {
    return [fe.invalid(path, name, 'name is neither a standard finalizer name nor is it fully qualified')];
  }
  return [];
}

function validateOwnerReference(ref: OwnerReference, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const version = (ref.apiVersion ?? '').split('/').pop() ?? '';
  if (!version) errs.push(fe.invalid(`${path}.apiVersion`, ref.apiVersion ?? '', 'version must not be empty'));
  if (!ref.kind) errs.push(fe.invalid(`${path}.kind`, ref.kind ?? '', 'must not be empty'));
  if (!ref.name) errs.push(fe.invalid(`${path}.name`, ref.name ?? '', 'must not be empty'));
  if (!ref.uid) errs.push(fe.invalid(`${path}.uid`, ref.uid ?? '', 'must not be empty'));
  return errs;
}

export function validateMetadataExtras(meta: ObjectMeta | undefined): FieldError[] {
  const errs: FieldError[] = [];
  (meta?.finalizers ?? []).forEach((f, i) => errs.push(...validateFinalizerName(f, `metadata.finalizers[${i}]`)));
  const refs = meta?.ownerReferences ?? [];
  refs.forEach((r, i) => errs.push(...validateOwnerReference(r, `metadata.ownerReferences[${i}]`)));
  const controllers = refs.filter((r) => r.controller);
  if (controllers.length > 1) {
    const names = controllers.map((r) => `"${r.kind}/${r.name}"`).join(', ');
    errs.push(fe.invalid('metadata.ownerReferences', refs, `Only one reference can have Controller set to true. Found "true" in references for ${names}`));
  }
  return errs;
}
