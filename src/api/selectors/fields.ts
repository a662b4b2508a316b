// Field selectors (`?fieldSelector=`): apimachinery pkg/fields syntax, and per kind the fields
// kube-apiserver accepts (its field-label conversion funcs) and the values it compares against
// (each registry's ToSelectableFields). Values are compared as strings; a field an object lacks
// compares as "".
import { badRequest } from '../errors.js';
import type { KubeObject } from '../object.js';
import type { ResourceInfo } from '../resources.js';

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

export interface FieldSelector {
  matches(obj: KubeObject): boolean;
  /** True when the selector places no restriction. */
  empty: boolean;
  readonly requirements: readonly FieldRequirement[];
  /** The value the selector requires `field` to equal, if it does (e.g. metadata.name for a get-by-name shortcut). */
  requiresExactMatch(field: string): string | undefined;
  toString(): string;
}

type Extract = (obj: KubeObject) => string | undefined;

function path(obj: unknown, ...keys: string[]): unknown {
  let cur: unknown = obj;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

const str =
  (...keys: string[]): Extract =>
  (o) => {
    const v = path(o, ...keys);
    return v === undefined || v === null ? '' : String(v);
  };
const bool =
  (...keys: string[]): Extract =>
  (o) =>
    path(o, ...keys) === true ? 'true' : 'false';

const NAME: Record<string, Extract> = { 'metadata.name': str('metadata', 'name') };
const NAME_NS: Record<string, Extract> = { ...NAME, 'metadata.namespace': str('metadata', 'namespace') };

/**
 * Kinds with their own conversion func in kube-apiserver reject other fields with
 * "field label not supported: <f>"; the rest fall back to runtime.DefaultMetaV1FieldSelectorConversion.
 */
const KIND_FIELDS: Record<string, Record<string, Extract>> = {
  Pod: {
    ...NAME_NS,
    'spec.nodeName': str('spec', 'nodeName'),
    'spec.restartPolicy': str('spec', 'restartPolicy'),
    'spec.schedulerName': str('spec', 'schedulerName'),
    'spec.serviceAccountName': str('spec', 'serviceAccountName'),
    'spec.hostNetwork': bool('spec', 'hostNetwork'),
    'status.phase': str('status', 'phase'),
    // The first of status.podIPs, as the pod registry derives it.
    'status.podIP': (o) => {
      const ips = path(o, 'status', 'podIPs');
      if (Array.isArray(ips) && ips.length) return str('ip')(ips[0] as KubeObject);
      return str('status', 'podIP')(o);
    },
    // Accepted by the conversion func but not a selectable field: always compares as "".
    'status.podIPs': () => '',
    'status.nominatedNodeName': str('status', 'nominatedNodeName'),
  },
  // Cluster-scoped: no metadata.namespace.
  Node: { ...NAME, 'spec.unschedulable': bool('spec', 'unschedulable') },
  Namespace: { ...NAME, 'status.phase': str('status', 'phase') },
  Service: { ...NAME_NS, 'spec.clusterIP': str('spec', 'clusterIP'), 'spec.type': str('spec', 'type') },
  Event: {
    ...NAME_NS,
    'involvedObject.kind': str('involvedObject', 'kind'),
    'involvedObject.namespace': str('involvedObject', 'namespace'),
    'involvedObject.name': str('involvedObject', 'name'),
    'involvedObject.uid': str('involvedObject', 'uid'),
    'involvedObject.apiVersion': str('involvedObject', 'apiVersion'),
    'involvedObject.resourceVersion': str('involvedObject', 'resourceVersion'),
    'involvedObject.fieldPath': str('involvedObject', 'fieldPath'),
    reason: str('reason'),
    reportingComponent: str('reportingComponent'),
    source: str('source', 'component'),
    type: str('type'),
  },
  Secret: { ...NAME_NS, type: str('type') },
  ReplicaSet: { ...NAME_NS, 'status.replicas': (o) => String(path(o, 'status', 'replicas') ?? 0) },
};

function fieldsFor(res: ResourceInfo): { fields: Record<string, Extract>; unsupported: (f: string) => string } {
  const own = KIND_FIELDS[res.kind];
  if (own) return { fields: own, unsupported: (f) => `field label not supported: ${f}` };
  return {
    fields: NAME_NS,
    unsupported: (f) => `"${f}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
  };
}

/** Split on unescaped commas; escapes stay in place for unescapeValue. */
function splitTerms(s: string): string[] {
  if (s === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

const OPERATORS = ['!=', '==', '='] as const;

function splitTerm(term: string): [string, (typeof OPERATORS)[number], string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of OPERATORS) if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
  }
  return undefined;
}

function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') out += c;
      else throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      inSlash = false;
    } else if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=') throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

function escapeValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** Parse a `fieldSelector` query value for resource `res`. Throws 400 BadRequest StatusErrors. */
export function parseFieldSelector(s: string, res: ResourceInfo): FieldSelector {
  const parts = splitTerms(s).sort();
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) throw badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    const [field, op, rhs] = t;
    reqs.push({ field, op: op === '!=' ? '!=' : '=', value: unescapeValue(rhs) });
  }
  const { fields, unsupported } = fieldsFor(res);
  // The apiserver converts labels only after the whole string parsed.
  for (const r of reqs) if (!Object.prototype.hasOwnProperty.call(fields, r.field)) throw badRequest(unsupported(r.field));
  return {
    requirements: reqs,
    empty: reqs.length === 0,
    matches(obj: KubeObject): boolean {
      return reqs.every((r) => {
        const v = fields[r.field](obj) ?? '';
        return r.op === '=' ? v === r.value : v !== r.value;
      });
    },
    requiresExactMatch(field: string): string | undefined {
      return reqs.find((r) => r.field === field && r.op === '=')?.value;
    },
    toString(): string {
      return reqs.map((r) => `${r.field}${r.op}${escapeValue(r.value)}`).join(',');
    },
  };
}
