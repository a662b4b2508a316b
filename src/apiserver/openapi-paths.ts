// The `paths` of a group-version's OpenAPI v3 document: the REST operations of each served
// resource and subresource, named and tagged the way kube-apiserver names them
// (listCoreV1NamespacedService, patchAppsV1NamespacedDeploymentScale, ...). kubectl reads two
// things here: `x-kubernetes-group-version-kind` on operations (explain finds a resource's kind by
// it) and whether each PATCH operation takes `fieldValidation` (apply, edit and create -f ask the
// server to validate when it does). Every PATCH carrying a kind must list it: kubectl decides on the
// first such operation it meets.
import { apiVersionOf, type ResourceInfo } from '../api/resources.js';
import { moduleOf, packageOf } from '../api/openapi/extensions.js';
import { SCHEMA_REF_PREFIX, type Schema } from '../api/openapi/schemas.js';
import { subresourcesOf, type SubresourceInfo } from './discovery-subresources.js';

type Operation = Record<string, unknown>;
export type PathItem = Record<string, unknown>;

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

function ref(component: string): Schema {
  return { $ref: `${SCHEMA_REF_PREFIX}${component}` };
}

function componentOf(group: string, version: string, kind: string): string {
  return `${packageOf(moduleOf(group, version))}.${kind}`;
}

// ---- parameters (descriptions are ours) -------------------------------------------------------

function query(name: string, description: string, type: 'string' | 'boolean' | 'integer'): Schema {
  return { name, in: 'query', description, schema: { type, uniqueItems: true } };
}

const P = {
  pretty: query('pretty', "If 'true', the output is pretty printed.", 'string'),
  dryRun: query('dryRun', 'When present, the change is validated and admitted but not persisted. The only valid value is All.', 'string'),
  fieldManager: query('fieldManager', 'A name for the actor making the change, recorded in managedFields.', 'string'),
  fieldValidation: query(
    'fieldValidation',
    'How the server treats fields of the request body it does not know or that appear twice: Ignore drops them, Warn (the default) drops them and returns a warning for each, Strict rejects the request.',
    'string',
  ),
  force: query('force', 'For apply requests only: take ownership of fields other managers own instead of failing with a conflict.', 'boolean'),
  allowWatchBookmarks: query('allowWatchBookmarks', 'Ask for BOOKMARK events in a watch.', 'boolean'),
  continue: query('continue', 'The continue token from a previous, paginated list response.', 'string'),
  fieldSelector: query('fieldSelector', 'Only objects whose fields match this selector.', 'string'),
  labelSelector: query('labelSelector', 'Only objects whose labels match this selector.', 'string'),
  limit: query('limit', 'The most items to return; the response carries a continue token when there are more.', 'integer'),
  resourceVersion: query('resourceVersion', 'The resourceVersion the list or watch starts from.', 'string'),
  resourceVersionMatch: query('resourceVersionMatch', 'How resourceVersion is applied to a list: Exact or NotOlderThan.', 'string'),
  sendInitialEvents: query('sendInitialEvents', 'With watch=true: begin the watch with synthetic ADDED events for the current state.', 'boolean'),
  timeoutSeconds: query('timeoutSeconds', 'Ends the list or watch call after this many seconds.', 'integer'),
  watch: query('watch', 'Watch for changes instead of listing.', 'boolean'),
  gracePeriodSeconds: query('gracePeriodSeconds', 'Seconds before the object is deleted; 0 deletes at once.', 'integer'),
  orphanDependents: query('orphanDependents', 'Deprecated: use propagationPolicy.', 'boolean'),
  propagationPolicy: query('propagationPolicy', 'Whether and how dependents are garbage collected: Orphan, Background or Foreground.', 'string'),
};

function pathParam(name: string, description: string): Schema {
  return { name, in: 'path', description, required: true, schema: { type: 'string', uniqueItems: true } };
}

const LIST_PARAMS = [
  P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit,
  P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch,
];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const PATCH_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation, P.force];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];
const DELETE_COLLECTION_PARAMS = [
  P.continue, P.dryRun, P.fieldSelector, P.gracePeriodSeconds, P.labelSelector, P.limit, P.orphanDependents,
  P.propagationPolicy, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds,
];

// ---- responses and bodies ---------------------------------------------------------------------

const OBJECT_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const WATCH_TYPES = ['application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'];
const PATCH_TYPES = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

function content(types: string[], schema: Schema): Schema {
  return Object.fromEntries(types.map((t) => [t, { schema }]));
}

function responses(codes: Record<string, string>, schema: Schema, types = OBJECT_TYPES): Schema {
  const out: Schema = {};
  for (const [code, description] of Object.entries(codes)) out[code] = { description, content: content(types, schema) };
  out['401'] = { description: 'Unauthorized' };
  return out;
}

function body(schema: Schema, types = ['*/*']): Schema {
  return { content: content(types, schema), required: true };
}

// ---- naming -----------------------------------------------------------------------------------

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Core, Apps, Discovery, Coordination... (the first label of the group, as kube-apiserver does). */
function groupWord(group: string): string {
  return group === '' ? 'Core' : upperFirst(group.split('.')[0]);
}

/** core_v1, apps_v1, discovery_v1... */
export function tagOf(group: string, version: string): string {
  return `${group === '' ? 'core' : group.split('.')[0]}_${version}`;
}

interface Ctx {
  res: ResourceInfo;
  gvk: { group: string; kind: string; version: string };
  /** e.g. CoreV1 */
  gv: string;
  tag: string;
}

function op(ctx: Ctx, action: string, operationId: string, description: string, extra: Operation, gvk = ctx.gvk): Operation {
  return {
    tags: [ctx.tag],
    description,
    operationId,
    ...extra,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
  };
}

// ---- operations -------------------------------------------------------------------------------

function collectionItem(ctx: Ctx, scopeWord: string): PathItem {
  const { res } = ctx;
  const kindRef = ref(componentOf(res.group, res.version, res.kind));
  const item: PathItem = {};
  if (res.verbs.includes('list')) {
    item.get = op(ctx, 'list', `list${ctx.gv}${scopeWord}${res.kind}`, `list or watch objects of kind ${res.kind}`, {
      parameters: LIST_PARAMS,
      responses: responses({ '200': 'OK' }, ref(componentOf(res.group, res.version, res.listKind)), [...OBJECT_TYPES, ...WATCH_TYPES]),
    });
  }
  if (res.verbs.includes('create')) {
    item.post = op(ctx, 'post', `create${ctx.gv}${scopeWord}${res.kind}`, `create a ${res.kind}`, {
      parameters: WRITE_PARAMS,
      requestBody: body(kindRef),
      responses: responses({ '200': 'OK', '201': 'Created', '202': 'Accepted' }, kindRef),
    });
  }
  if (res.verbs.includes('deletecollection')) {
    item.delete = op(ctx, 'deletecollection', `deleteCollection${ctx.gv}${scopeWord}${res.kind}`, `delete collection of ${res.kind}`, {
      parameters: DELETE_COLLECTION_PARAMS,
      requestBody: { content: content(['*/*'], ref(`${META}.DeleteOptions`)) },
      responses: responses({ '200': 'OK' }, ref(`${META}.Status`)),
    });
  }
  return item;
}

function objectItem(ctx: Ctx, scopeWord: string): PathItem {
  const { res } = ctx;
  const kindRef = ref(componentOf(res.group, res.version, res.kind));
  const item: PathItem = {};
  const id = (verb: string) => `${verb}${ctx.gv}${scopeWord}${res.kind}`;
  if (res.verbs.includes('get')) {
    item.get = op(ctx, 'get', id('read'), `read the specified ${res.kind}`, { responses: responses({ '200': 'OK' }, kindRef) });
  }
  if (res.verbs.includes('update')) {
    item.put = op(ctx, 'put', id('replace'), `replace the specified ${res.kind}`, {
      parameters: WRITE_PARAMS,
      requestBody: body(kindRef),
      responses: responses({ '200': 'OK', '201': 'Created' }, kindRef),
    });
  }
  if (res.verbs.includes('delete')) {
    item.delete = op(ctx, 'delete', id('delete'), `delete a ${res.kind}`, {
      parameters: DELETE_PARAMS,
      requestBody: { content: content(['*/*'], ref(`${META}.DeleteOptions`)) },
      responses: responses({ '200': 'OK', '202': 'Accepted' }, kindRef),
    });
  }
  if (res.verbs.includes('patch')) {
    item.patch = op(ctx, 'patch', id('patch'), `partially update the specified ${res.kind}`, {
      parameters: PATCH_PARAMS,
      requestBody: body(ref(`${META}.Patch`), PATCH_TYPES),
      responses: responses({ '200': 'OK', '201': 'Created' }, kindRef),
    });
  }
  return item;
}

function connectParams(sub: SubresourceInfo): Schema[] {
  switch (sub.name) {
    case 'exec':
      return [
        query('command', 'The command and its arguments, one per parameter, run without a shell.', 'string'),
        query('container', 'The container to run the command in; defaults to the only container.', 'string'),
        query('stderr', 'Stream the standard error of the command.', 'boolean'),
        query('stdin', 'Stream standard input to the command.', 'boolean'),
        query('stdout', 'Stream the standard output of the command.', 'boolean'),
        query('tty', 'Allocate a terminal for the command.', 'boolean'),
      ];
    case 'attach':
      return [
        query('container', 'The container to attach to; defaults to the only container.', 'string'),
        query('stderr', 'Stream the standard error of the container.', 'boolean'),
        query('stdin', 'Stream standard input to the container.', 'boolean'),
        query('stdout', 'Stream the standard output of the container.', 'boolean'),
        query('tty', 'The container was started with a terminal.', 'boolean'),
      ];
    case 'portforward':
      return [query('ports', 'The pod ports to forward to.', 'integer')];
    case 'proxy':
      return [query('path', 'The path to proxy the request to.', 'string')];
    default:
      return [];
  }
}

function subresourceItem(ctx: Ctx, scopeWord: string, sub: SubresourceInfo): PathItem {
  const { res } = ctx;
  const subGvk = { group: sub.group ?? res.group, kind: sub.kind, version: sub.version ?? res.version };
  const kindRef = ref(componentOf(subGvk.group, subGvk.version, sub.kind));
  const word = upperFirst(sub.name);
  const id = (verb: string) => `${verb}${ctx.gv}${scopeWord}${res.kind}${word}`;
  const item: PathItem = {};
  switch (sub.name) {
    case 'status':
    case 'scale':
    case 'ephemeralcontainers':
      item.get = op(ctx, 'get', id('read'), `read ${sub.name} of the specified ${res.kind}`, { responses: responses({ '200': 'OK' }, kindRef) }, subGvk);
      item.put = op(ctx, 'put', id('replace'), `replace ${sub.name} of the specified ${res.kind}`, {
        parameters: WRITE_PARAMS,
        requestBody: body(kindRef),
        responses: responses({ '200': 'OK', '201': 'Created' }, kindRef),
      }, subGvk);
      item.patch = op(ctx, 'patch', id('patch'), `partially update ${sub.name} of the specified ${res.kind}`, {
        parameters: PATCH_PARAMS,
        requestBody: body(ref(`${META}.Patch`), PATCH_TYPES),
        responses: responses({ '200': 'OK', '201': 'Created' }, kindRef),
      }, subGvk);
      break;
    case 'log':
      item.get = op(ctx, 'get', id('read'), `read log of the specified ${res.kind}`, {
        parameters: [
          query('container', 'The container whose log to read; defaults to the only container.', 'string'),
          query('follow', 'Keep streaming the log as it grows.', 'boolean'),
          query('limitBytes', 'Stop after this many bytes.', 'integer'),
          query('previous', "Read the previous, terminated instance's log.", 'boolean'),
          query('sinceSeconds', 'Only lines newer than this many seconds.', 'integer'),
          query('tailLines', 'Only this many lines from the end.', 'integer'),
          query('timestamps', 'Prefix every line with its RFC3339 timestamp.', 'boolean'),
        ],
        responses: responses({ '200': 'OK' }, { type: 'string' }, ['text/plain', 'application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']),
      }, subGvk);
      break;
    case 'binding':
    case 'eviction':
      item.post = op(ctx, 'post', `create${ctx.gv}${scopeWord}${res.kind}${word}`, `create ${sub.name} of a ${res.kind}`, {
        parameters: WRITE_PARAMS,
        requestBody: body(kindRef),
        responses: responses({ '200': 'OK', '201': 'Created', '202': 'Accepted' }, kindRef),
      }, subGvk);
      break;
    default: {
      // exec, attach, portforward, proxy: connections rather than objects.
      const methods = sub.name === 'proxy' ? ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'] : ['get', 'post'];
      for (const m of methods) {
        item[m] = op(ctx, 'connect', `connect${ctx.gv}${upperFirst(m)}${scopeWord}${res.kind}${word}`, `connect ${m.toUpperCase()} requests to ${sub.name} of ${res.kind}`, {
          parameters: connectParams(sub),
          responses: responses({ '200': 'OK' }, { type: 'string' }, ['*/*']),
        }, subGvk);
      }
    }
  }
  return item;
}

/** Every path of one resource, keyed by URL template. */
export function resourcePaths(res: ResourceInfo): Record<string, PathItem> {
  const prefix = res.group ? `/apis/${apiVersionOf(res)}` : `/api/${res.version}`;
  const ctx: Ctx = {
    res,
    gvk: { group: res.group, kind: res.kind, version: res.version },
    gv: `${groupWord(res.group)}${upperFirst(res.version)}`,
    tag: tagOf(res.group, res.version),
  };
  const ns = pathParam('namespace', 'object name and auth scope, such as for teams and projects');
  const name = pathParam('name', `name of the ${res.kind}`);
  const base = res.namespaced ? `${prefix}/namespaces/{namespace}/${res.plural}` : `${prefix}/${res.plural}`;
  const scopeWord = res.namespaced ? 'Namespaced' : '';
  const common = res.namespaced ? [ns, P.pretty] : [P.pretty];
  const nameCommon = res.namespaced ? [name, ns, P.pretty] : [name, P.pretty];
  const out: Record<string, PathItem> = {};
  const put = (path: string, item: PathItem, parameters: Schema[]) => {
    if (Object.keys(item).length) out[path] = { ...item, parameters };
  };
  put(base, collectionItem(ctx, scopeWord), common);
  put(`${base}/{name}`, objectItem(ctx, scopeWord), nameCommon);
  for (const sub of subresourcesOf(res)) {
    put(`${base}/{name}/${sub.name}`, subresourceItem(ctx, scopeWord, sub), nameCommon);
  }
  if (res.namespaced && res.verbs.includes('list')) {
    const all = collectionItem(ctx, '');
    if (all.get) {
      const get = all.get as Operation;
      put(`${prefix}/${res.plural}`, { get: { ...get, operationId: `list${ctx.gv}${res.kind}ForAllNamespaces` } }, [P.pretty]);
    }
  }
  return out;
}
