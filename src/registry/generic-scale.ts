// The scale subresource (autoscaling/v1 Scale) of deployments, replicasets and statefulsets: a view
// of spec.replicas, status.replicas and the label selector, writable through spec.replicas only.
import { badRequest, conflict } from '../api/errors.js';
import type { KubeObject, Stored } from '../api/object.js';
import type { GenericRegistry, WriteResult } from './generic.js';
import type { PatchOptions, WriteOptions } from './generic-types.js';

interface LabelSelectorish {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** metav1.FormatLabelSelector: `a=b,c in (d,e)`. */
function formatSelector(sel: LabelSelectorish | undefined): string {
  if (!sel) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {}).sort(([a], [b]) => a.localeCompare(b))) parts.push(`${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${vals})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${vals})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

export function toScale(obj: Stored): KubeObject {
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: LabelSelectorish };
  const status = (obj.status ?? {}) as { replicas?: number };
  const m = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: formatSelector(spec.selector) },
  };
}

export async function getScale(reg: GenericRegistry, namespace: string | undefined, name: string): Promise<KubeObject> {
  return toScale(await reg.get(namespace, name));
}

export async function updateScale(
  reg: GenericRegistry,
  namespace: string | undefined,
  name: string,
  scale: KubeObject,
  opts: WriteOptions = {},
): Promise<KubeObject> {
  if (scale.kind && scale.kind !== 'Scale') throw badRequest(`the kind in the data (${scale.kind}) does not match the expected kind (Scale)`);
  const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
  if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)) {
    throw reg.scaleInvalid(name, replicas);
  }
  const obj = await reg.get(namespace, name);
  const wantRv = scale.metadata?.resourceVersion;
  if (wantRv && wantRv !== obj.metadata.resourceVersion) throw conflict(reg.gr, name);
  obj.spec = { ...(obj.spec as object), replicas: replicas ?? 0 };
  const r: WriteResult = await reg.update(namespace, name, obj, opts);
  return toScale(r.object);
}

export async function patchScale(
  reg: GenericRegistry,
  namespace: string | undefined,
  name: string,
  contentType: string,
  patch: unknown,
  opts: PatchOptions = {},
): Promise<KubeObject> {
  const live = await getScale(reg, namespace, name);
  const next = reg.ctx.deps.applyPatch(contentType, live, patch, reg.res);
  return updateScale(reg, namespace, name, next, opts);
}
