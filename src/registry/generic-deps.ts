// Selectors and patching live in src/api/ (written by other engineers). They are loaded at start-up
// so the registry keeps compiling and running while those modules land; once present, theirs are
// used. The fallbacks cover only what the registry needs to function (equality label selectors,
// metadata.name/namespace field selectors, merge patch) and say so in their errors.
import type { KubeObject } from '../api/object.js';
import type { ResourceInfo } from '../api/resources.js';
import { badRequest, unsupportedMediaType } from '../api/errors.js';

export interface LabelSelector {
  matches(labels: Record<string, string> | undefined): boolean;
  empty: boolean;
}
export interface FieldSelector {
  matches(obj: KubeObject): boolean;
}

export interface RegistryDeps {
  parseLabelSelector(s: string): LabelSelector;
  parseFieldSelector(s: string, res: ResourceInfo): FieldSelector;
  applyPatch(contentType: string, original: KubeObject, patch: unknown, res: ResourceInfo): KubeObject;
  applyServerSideApply(
    live: KubeObject | undefined,
    applied: KubeObject,
    res: ResourceInfo,
    opts: { fieldManager: string; force: boolean },
  ): KubeObject;
}

/** Imports a module if it exists; any other failure (a bug in it) is rethrown. */
export async function importOptional<T>(spec: string, from: string): Promise<T | undefined> {
  try {
    return (await import(new URL(spec, from).href)) as T;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes(spec.replace(/^\.\.?\//, '').replace(/\.js$/, ''))) return undefined;
    throw e;
  }
}

function fallbackLabelSelector(s: string): LabelSelector {
  const reqs: { key: string; op: '=' | '!=' | 'exists' | '!exists'; value: string }[] = [];
  for (const raw of s.split(',').map((x) => x.trim()).filter(Boolean)) {
    let m: RegExpMatchArray | null;
    if ((m = raw.match(/^([^=!]+)!=(.*)$/))) reqs.push({ key: m[1].trim(), op: '!=', value: m[2].trim() });
    else if ((m = raw.match(/^([^=!]+)==?(.*)$/))) reqs.push({ key: m[1].trim(), op: '=', value: m[2].trim() });
    else if ((m = raw.match(/^!([^=!]+)$/))) reqs.push({ key: m[1].trim(), op: '!exists', value: '' });
    else if (/^[A-Za-z0-9][-A-Za-z0-9_./]*$/.test(raw)) reqs.push({ key: raw, op: 'exists', value: '' });
    else throw badRequest(`unable to parse requirement: ${raw}`);
  }
  return {
    empty: reqs.length === 0,
    matches(labels) {
      const l = labels ?? {};
      return reqs.every((r) => {
        const has = Object.prototype.hasOwnProperty.call(l, r.key);
        if (r.op === 'exists') return has;
        if (r.op === '!exists') return !has;
        if (r.op === '=') return has && l[r.key] === r.value;
        return !has || l[r.key] !== r.value;
      });
    },
  };
}

function fallbackFieldSelector(s: string): FieldSelector {
  const reqs: { path: string; neg: boolean; value: string }[] = [];
  for (const raw of s.split(',').map((x) => x.trim()).filter(Boolean)) {
    const m = raw.match(/^([^=!]+)(!=|==|=)(.*)$/);
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${raw}'`);
    const path = m[1].trim();
    if (path !== 'metadata.name' && path !== 'metadata.namespace') throw badRequest(`field label not supported: ${path}`);
    reqs.push({ path, neg: m[2] === '!=', value: m[3].trim() });
  }
  return {
    matches(obj) {
      return reqs.every((r) => {
        const v = r.path === 'metadata.name' ? obj.metadata?.name : obj.metadata?.namespace;
        return r.neg ? (v ?? '') !== r.value : (v ?? '') === r.value;
      });
    },
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function fallbackApplyPatch(contentType: string, original: KubeObject, patch: unknown): KubeObject {
  if (contentType === 'application/merge-patch+json' || contentType === 'application/strategic-merge-patch+json') {
    if (!isPlainObject(patch)) throw badRequest('patch body must be a JSON object');
    return mergePatch(original, patch) as KubeObject;
  }
  throw unsupportedMediaType(contentType);
}

let loaded: RegistryDeps | undefined;

/** The dependencies, loading the real modules on first call. */
export async function loadRegistryDeps(): Promise<RegistryDeps> {
  if (loaded) return loaded;
  type Labels = { parseLabelSelector: RegistryDeps['parseLabelSelector'] };
  type Fields = { parseFieldSelector: RegistryDeps['parseFieldSelector'] };
  type Patch = Pick<RegistryDeps, 'applyPatch' | 'applyServerSideApply'>;
  const [labels, fields, patch] = await Promise.all([
    importOptional<Labels>('../api/selectors/labels.js', import.meta.url),
    importOptional<Fields>('../api/selectors/fields.js', import.meta.url),
    importOptional<Patch>('../api/patch/index.js', import.meta.url),
  ]);
  loaded = {
    parseLabelSelector: labels?.parseLabelSelector ?? fallbackLabelSelector,
    parseFieldSelector: fields?.parseFieldSelector ?? fallbackFieldSelector,
    applyPatch: patch?.applyPatch ?? fallbackApplyPatch,
    applyServerSideApply:
      patch?.applyServerSideApply ??
      ((live, applied) => (live ? (mergePatch(live, applied) as KubeObject) : applied)),
  };
  return loaded;
}
