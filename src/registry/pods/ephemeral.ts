// pods/ephemeralcontainers, as kube-apiserver's EphemeralContainersREST and
// ValidatePodEphemeralContainersUpdate / validateEphemeralContainers: a write through the
// subresource may only add ephemeral containers; each one is checked as a container, must have a
// name unique among all the pod's containers, may target only a regular or init container, and
// may not set the fields that would make it part of the pod's service (ports, probes, lifecycle,
// resources) nor sub-path mounts.
import type { Container, EphemeralContainer, Pod } from 'kubernetes-types/core/v1.js';
import * as fe from '../../api/field-errors.js';
import type { FieldError } from '../../api/field-errors.js';
import { deepEqual } from '../../api/validation/common.js';
import { validateContainers } from '../../api/validation/container.js';

const PATH = 'spec.ephemeralContainers';
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

/** Fields an ephemeral container may not set (those outside Kubernetes' allow list), in struct order. */
const NOT_ALLOWED = ['ports', 'resources', 'resizePolicy', 'restartPolicy', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle'] as const;

function isSet(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return v !== '';
}

/** validateEphemeralContainers: the ephemeral containers of a pod, as a whole. */
export function validateEphemeralContainers(pod: Pod): FieldError[] {
  const spec = pod.spec;
  const list = spec?.ephemeralContainers ?? [];
  if (!list.length) return [];
  const regular = new Set([...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].map((c) => c.name));
  const volumes = new Set((spec?.volumes ?? []).map((v) => v.name));
  const errs: FieldError[] = [];
  // Names are checked against every other container's and the earlier ephemeral ones'.
  const names = new Set(regular);
  list.forEach((ec, i) => {
    const at = `${PATH}[${i}]`;
    const { targetContainerName: _t, ...common } = ec;
    // The checks common to all containers (validateContainers with no names seen, so it reports no
    // Duplicate: that comes after them, as in Kubernetes). It would also report restartPolicy on a
    // non-init container; that field is refused below with the ephemeral text instead.
    const asContainer = { ...common, restartPolicy: undefined } as Container;
    errs.push(...validateContainers([asContainer], PATH, volumes, new Set(), { init: false }).map((e) => ({ ...e, field: e.field.replace(`${PATH}[0]`, at) })));
    if (names.has(ec.name)) errs.push(fe.duplicate(`${at}.name`, ec.name));
    else names.add(ec.name);
    if (ec.targetContainerName && !regular.has(ec.targetContainerName)) errs.push(fe.notFound(`${at}.targetContainerName`, ec.targetContainerName));
    const fields = ec as unknown as Record<string, unknown>;
    for (const f of NOT_ALLOWED) if (isSet(fields[f])) errs.push(fe.forbidden(`${at}.${f}`, 'cannot be set for an Ephemeral Container'));
    // Sub-path mounts are bind mounts that would outlive the container.
    (ec.volumeMounts ?? []).forEach((m, j) => {
      if (m.subPath) errs.push(fe.forbidden(`${at}.volumeMounts[${j}].subPath`, 'cannot be set for an Ephemeral Container'));
      if (m.subPathExpr) errs.push(fe.forbidden(`${at}.volumeMounts[${j}].subPathExpr`, 'cannot be set for an Ephemeral Container'));
    });
  });
  return errs;
}

/** A short account of what changed in an existing ephemeral container (kube-apiserver prints a cmp.Diff). */
function describeChange(old: EphemeralContainer, now: EphemeralContainer): string {
  const keys = [...new Set([...Object.keys(old), ...Object.keys(now)])].sort();
  const o = old as unknown as Record<string, unknown>;
  const n = now as unknown as Record<string, unknown>;
  return keys
    .filter((k) => !deepEqual(o[k], n[k]))
    .map((k) => `  ${k}: ${JSON.stringify(o[k] ?? null)} -> ${JSON.stringify(n[k] ?? null)}\n`)
    .join('');
}

/** ValidatePodEphemeralContainersUpdate: the new pod's ephemeral containers, and no change to the old ones. */
export function validateEphemeralContainersUpdate(pod: Pod, old: Pod): FieldError[] {
  if (old.metadata?.annotations?.[MIRROR_ANNOTATION] !== undefined) return [fe.forbidden('', 'static pods do not support ephemeral containers')];
  const errs = validateEphemeralContainers(pod);
  const byName = new Map((pod.spec?.ephemeralContainers ?? []).map((c) => [c.name, c]));
  for (const prev of old.spec?.ephemeralContainers ?? []) {
    const now = byName.get(prev.name);
    if (!now) errs.push(fe.forbidden(PATH, `existing ephemeral containers "${prev.name}" may not be removed\n`));
    else if (!deepEqual(prev, now)) errs.push(fe.forbidden(`${PATH}[${prev.name}]`, `existing ephemeral containers "${prev.name}" may not be changed\n${describeChange(prev, now)}`));
  }
  return errs;
}
