// Helpers the workload controllers share (pkg/controller/controller_utils.go and
// pkg/api/v1/pod in Kubernetes): owner references, pod readiness and availability, the
// pod-template hash, and expectations that keep a controller from acting twice on a stale cache.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../client/index.js';

/** A controller owner reference to `owner` (controller=true, blockOwnerDeletion=true), as NewControllerRef. */
export function controllerRef(owner: ApiObject & { apiVersion: string; kind: string }): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The owner reference with controller=true, if any (metav1.GetControllerOf). */
export function controllerOf(obj: ApiObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

export function isControlledBy(obj: ApiObject, owner: ApiObject): boolean {
  return controllerOf(obj)?.uid === owner.metadata?.uid;
}

/** A pod that still counts (FilterActivePods): not terminating and not finished. */
export function isPodActive(p: Pod): boolean {
  return p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && !p.metadata?.deletionTimestamp;
}

export function podReadyCondition(p: Pod) {
  return p.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(p: Pod): boolean {
  return podReadyCondition(p)?.status === 'True';
}

/**
 * Ready for at least minReadySeconds (podutil.IsPodAvailable). With minReadySeconds 0 a ready pod
 * is available at once; otherwise the Ready condition's lastTransitionTime must be old enough.
 */
export function isPodAvailable(p: Pod, minReadySeconds: number, now: Date): boolean {
  const c = podReadyCondition(p);
  if (c?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= now.getTime();
}

/**
 * Milliseconds until a ready pod becomes available, or undefined if it is not ready or already
 * available: controllers come back then to count it.
 */
export function msUntilAvailable(p: Pod, minReadySeconds: number, now: Date): number | undefined {
  const c = podReadyCondition(p);
  if (c?.status !== 'True' || minReadySeconds <= 0 || !c.lastTransitionTime) return undefined;
  const left = Date.parse(c.lastTransitionTime) + minReadySeconds * 1000 - now.getTime();
  return left > 0 ? left : undefined;
}

/** FNV-1a, 32 bits, over bytes. */
export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

// rand.SafeEncodeString's alphabet: no vowels and no look-alike characters, so a hash never
// spells a word or an ambiguous name.
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** apimachinery's rand.SafeEncodeString: each character mapped by its code point. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of s) out += SAFE_ALPHABET[ch.codePointAt(0)! % SAFE_ALPHABET.length];
  return out;
}

/** JSON with object keys sorted, so equal templates hash equally whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined && x !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * controller.ComputeHash: FNV-32a over the template, then (when set) the collision count as four
 * little-endian bytes, printed in decimal and safe-encoded. Kubernetes feeds the hasher a Go
 * object dump; we feed it canonical JSON, so the value differs from a real cluster's but has the
 * same properties (stable, template-determined, changed by collisionCount).
 */
export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  const enc = new TextEncoder();
  let h = fnv32a(enc.encode(canonicalJson(template ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(b, h);
  }
  return safeEncodeString(String(h));
}

/** Template equality ignoring the pod-template-hash label (EqualIgnoreHash). */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  const strip = (t: PodTemplateSpec | undefined) => {
    const c = structuredClone(t ?? {});
    if (c.metadata?.labels) delete c.metadata.labels['pod-template-hash'];
    if (c.metadata?.labels && !Object.keys(c.metadata.labels).length) delete c.metadata.labels;
    return canonicalJson(c);
  };
  return strip(a) === strip(b);
}

/**
 * How many creates/deletes a controller has issued and not yet seen in its informer
 * (ControllerExpectations). While they are outstanding the controller does not recount, since
 * its cache would show too few or too many pods. Expectations expire after `ttlMs` so a lost
 * event cannot wedge a controller.
 */
export class Expectations {
  private readonly pending = new Map<string, { add: number; del: number; at: number }>();
  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs = 5 * 60_000,
  ) {}

  expect(key: string, add: number, del: number): void {
    this.pending.set(key, { add, del, at: this.now() });
  }

  /** One expected create (or its failure) observed. */
  creationObserved(key: string): void {
    const e = this.pending.get(key);
    if (e) e.add--;
  }

  deletionObserved(key: string): void {
    const e = this.pending.get(key);
    if (e) e.del--;
  }

  satisfied(key: string): boolean {
    const e = this.pending.get(key);
    if (!e) return true;
    if ((e.add <= 0 && e.del <= 0) || this.now() - e.at > this.ttlMs) return true;
    return false;
  }

  delete(key: string): void {
    this.pending.delete(key);
  }
}

/** intstr.GetScaledValueFromIntOrPercent for maxSurge (round up) and maxUnavailable (round down). */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) {
    const n = Number(v);
    return Number.isInteger(n) ? n : fallback;
  }
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** A label map as a selector string for listers ("a=b,c=d"). */
export function selectorString(labels: Record<string, string> | undefined): string {
  return Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** metav1.Time on the wire: RFC 3339 with whole seconds. */
export function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
