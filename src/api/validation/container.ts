// Container validation as pkg/apis/core/validation (validateContainers and friends), with
// Kubernetes' field paths and texts. Used for containers and initContainers of pods and templates.
import type { Container, ContainerPort, EnvVar, Probe, ResourceRequirements, VolumeMount } from 'kubernetes-types/core/v1.js';
import * as fe from '../field-errors.js';
import type { FieldError } from '../field-errors.js';
import { nonNegative } from './common.js';
import { isDNS1123Label, isQualifiedName, isValidPortName, isValidPortNum } from './names.js';
import { parseQuantity, QUANTITY_FORMAT_ERROR } from './quantity.js';

export const SUPPORTED_PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const URI_SCHEMES = ['HTTP', 'HTTPS'];

export function validateContainerPorts(ports: ContainerPort[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((p, i) => {
    const at = `${path}[${i}]`;
    if (p.name) {
      const msgs = isValidPortName(p.name);
      if (msgs.length) for (const m of msgs) errs.push(fe.invalid(`${at}.name`, p.name, m));
      else if (names.has(p.name)) errs.push(fe.duplicate(`${at}.name`, p.name));
      else names.add(p.name);
    }
    if (!p.containerPort) errs.push(fe.required(`${at}.containerPort`));
    else for (const m of isValidPortNum(p.containerPort)) errs.push(fe.invalid(`${at}.containerPort`, p.containerPort, m));
    if (p.hostPort) for (const m of isValidPortNum(p.hostPort)) errs.push(fe.invalid(`${at}.hostPort`, p.hostPort, m));
    if (!p.protocol) errs.push(fe.required(`${at}.protocol`));
    else if (!SUPPORTED_PORT_PROTOCOLS.includes(p.protocol)) errs.push(fe.notSupported(`${at}.protocol`, p.protocol, SUPPORTED_PORT_PROTOCOLS));
  });
  return errs;
}

/** Environment variable names (RelaxedEnvironmentVariableValidation, on by default in 1.32). */
function envVarNameErrors(name: string): string[] {
  return /^[\x20-\x3c\x3e-\x7e]+$/.test(name) ? [] : ["a valid environment variable name must consist only of printable ASCII characters other than '='"];
}

/** What an env var's fieldRef may name (validEnvDownwardAPIFieldPathExpressions). */
export const ENV_FIELD_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
/** What a resourceFieldRef may name (validContainerResourceFieldPathExpressions, without hugepages). */
export const RESOURCE_FIELD_PATHS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];

const SUBSCRIPT_RE = /^(metadata\.(?:labels|annotations))\['(.+)'\]$/;

function validateFieldRef(ref: { apiVersion?: string; fieldPath: string }, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!ref.apiVersion) errs.push(fe.required(`${path}.apiVersion`));
  if (!ref.fieldPath) return [...errs, fe.required(`${path}.fieldPath`)];
  const sub = SUBSCRIPT_RE.exec(ref.fieldPath);
  if (sub) {
    const key = sub[1] === 'metadata.annotations' ? sub[2].toLowerCase() : sub[2];
    for (const m of isQualifiedName(key)) errs.push(fe.invalid(`${path}.fieldPath`, sub[2], m));
  } else if (!ENV_FIELD_PATHS.includes(ref.fieldPath)) {
    errs.push(fe.notSupported(`${path}.fieldPath`, ref.fieldPath, ENV_FIELD_PATHS));
  }
  return errs;
}

function validateEnv(env: EnvVar[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (env ?? []).forEach((e, i) => {
    const at = `${path}[${i}]`;
    if (!e.name) errs.push(fe.required(`${at}.name`));
    else for (const m of envVarNameErrors(e.name)) errs.push(fe.invalid(`${at}.name`, e.name, m));
    const from = e.valueFrom;
    if (!from) return;
    const vf = `${at}.valueFrom`;
    let sources = 0;
    if (from.fieldRef) {
      sources++;
      errs.push(...validateFieldRef(from.fieldRef, `${vf}.fieldRef`));
    }
    if (from.resourceFieldRef) {
      sources++;
      const r = from.resourceFieldRef.resource;
      if (!r) errs.push(fe.required(`${vf}.resourceFieldRef.resource`));
      else if (!RESOURCE_FIELD_PATHS.includes(r)) errs.push(fe.notSupported(`${vf}.resourceFieldRef.resource`, r, RESOURCE_FIELD_PATHS));
    }
    if (from.configMapKeyRef) {
      sources++;
      if (!from.configMapKeyRef.key) errs.push(fe.required(`${vf}.configMapKeyRef.key`));
    }
    if (from.secretKeyRef) {
      sources++;
      if (!from.secretKeyRef.key) errs.push(fe.required(`${vf}.secretKeyRef.key`));
    }
    if (sources === 0) errs.push(fe.invalid(vf, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (e.value) errs.push(fe.invalid(vf, '', 'may not be specified when `value` is not empty'));
    else if (sources > 1) errs.push(fe.invalid(vf, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validatePortNumOrName(port: number | string | undefined, path: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => fe.invalid(path, port, m));
  if (typeof port === 'string') {
    if (port === '') return [fe.required(path)];
    return isValidPortName(port).map((m) => fe.invalid(path, port, m));
  }
  return [fe.required(path)];
}

type Handler = Pick<Probe, 'exec' | 'httpGet' | 'tcpSocket' | 'grpc'> & { sleep?: { seconds: number } };

function validateHandler(h: Handler, path: string, kinds: (keyof Handler)[]): FieldError[] {
  const errs: FieldError[] = [];
  const present = kinds.filter((k) => h[k]);
  if (present.length === 0) return [fe.required(path, 'must specify a handler type')];
  if (present.length > 1) errs.push(fe.forbidden(`${path}.${present[1]}`, 'may not specify more than 1 handler type'));
  if (h.exec && !(h.exec.command ?? []).length) errs.push(fe.required(`${path}.exec.command`));
  if (h.httpGet) {
    errs.push(...validatePortNumOrName(h.httpGet.port, `${path}.httpGet.port`));
    if (h.httpGet.scheme && !URI_SCHEMES.includes(h.httpGet.scheme)) errs.push(fe.notSupported(`${path}.httpGet.scheme`, h.httpGet.scheme, URI_SCHEMES));
  }
  if (h.tcpSocket) errs.push(...validatePortNumOrName(h.tcpSocket.port, `${path}.tcpSocket.port`));
  if (h.grpc) for (const m of isValidPortNum(h.grpc.port)) errs.push(fe.invalid(`${path}.grpc.port`, h.grpc.port, m));
  if (h.sleep) errs.push(...nonNegative(h.sleep.seconds, `${path}.sleep.seconds`));
  return errs;
}

function validateProbe(p: Probe | undefined, path: string, successMustBeOne: boolean): FieldError[] {
  if (!p) return [];
  const errs = validateHandler(p, path, ['exec', 'httpGet', 'tcpSocket', 'grpc']);
  errs.push(...nonNegative(p.initialDelaySeconds, `${path}.initialDelaySeconds`));
  errs.push(...nonNegative(p.timeoutSeconds, `${path}.timeoutSeconds`));
  errs.push(...nonNegative(p.periodSeconds, `${path}.periodSeconds`));
  errs.push(...nonNegative(p.successThreshold, `${path}.successThreshold`));
  errs.push(...nonNegative(p.failureThreshold, `${path}.failureThreshold`));
  if (successMustBeOne && p.successThreshold !== undefined && p.successThreshold !== 1) {
    errs.push(fe.invalid(`${path}.successThreshold`, p.successThreshold, 'must be 1'));
  }
  if (typeof p.terminationGracePeriodSeconds === 'number' && p.terminationGracePeriodSeconds <= 0) {
    errs.push(fe.invalid(`${path}.terminationGracePeriodSeconds`, p.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  return errs;
}

function validateResources(r: ResourceRequirements | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const limits = (r?.limits ?? {}) as Record<string, unknown>;
  const requests = (r?.requests ?? {}) as Record<string, unknown>;
  for (const [which, list] of [['limits', limits], ['requests', requests]] as const) {
    for (const [name, q] of Object.entries(list)) {
      const v = parseQuantity(q);
      if (v === undefined) errs.push(fe.invalid(`${path}.${which}[${name}]`, q, QUANTITY_FORMAT_ERROR));
      else if (v < 0) errs.push(fe.invalid(`${path}.${which}[${name}]`, q, 'must be greater than or equal to 0'));
    }
  }
  for (const [name, q] of Object.entries(requests)) {
    const req = parseQuantity(q);
    const lim = parseQuantity(limits[name]);
    if (req !== undefined && lim !== undefined && req > lim) {
      errs.push(fe.invalid(`${path}.requests`, String(q), `must be less than or equal to ${name} limit of ${String(limits[name])}`));
    }
  }
  return errs;
}

function validateVolumeMounts(mounts: VolumeMount[] | undefined, volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const paths = new Set<string>();
  (mounts ?? []).forEach((m, i) => {
    const at = `${path}[${i}]`;
    if (!m.name) errs.push(fe.required(`${at}.name`));
    else if (!volumes.has(m.name)) errs.push(fe.notFound(`${at}.name`, m.name));
    if (!m.mountPath) errs.push(fe.required(`${at}.mountPath`));
    else if (paths.has(m.mountPath)) errs.push(fe.invalid(`${at}.mountPath`, m.mountPath, 'must be unique'));
    else paths.add(m.mountPath);
  });
  return errs;
}

const ID_RANGE_ERROR = 'must be between 0 and 2147483647, inclusive';

/** IsValidUserID / IsValidGroupID. */
export function validateID(v: number | undefined | null, path: string): FieldError[] {
  if (typeof v !== 'number') return [];
  return Number.isInteger(v) && v >= 0 && v <= 2147483647 ? [] : [fe.invalid(path, v, ID_RANGE_ERROR)];
}

function validateSecurityContext(sc: Container['securityContext'], path: string): FieldError[] {
  if (!sc) return [];
  const errs = [...validateID(sc.runAsUser, `${path}.runAsUser`), ...validateID(sc.runAsGroup, `${path}.runAsGroup`)];
  if (sc.privileged && sc.allowPrivilegeEscalation === false) {
    errs.push(fe.invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
  }
  if (sc.capabilities?.add?.includes('CAP_SYS_ADMIN') && sc.allowPrivilegeEscalation === false) {
    errs.push(fe.invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'));
  }
  return errs;
}

/**
 * Validates a list of containers. `names` collects container names across containers and
 * initContainers, which must all be unique within a pod.
 */
export function validateContainers(
  containers: Container[] | undefined,
  path: string,
  volumes: Set<string>,
  names: Set<string>,
  opts: { init: boolean },
): FieldError[] {
  const errs: FieldError[] = [];
  (containers ?? []).forEach((c, i) => {
    const at = `${path}[${i}]`;
    if (!c.name) errs.push(fe.required(`${at}.name`));
    else {
      const msgs = isDNS1123Label(c.name);
      for (const m of msgs) errs.push(fe.invalid(`${at}.name`, c.name, m));
      if (!msgs.length && names.has(c.name)) errs.push(fe.duplicate(`${at}.name`, c.name));
      names.add(c.name);
    }
    if (!c.image) errs.push(fe.required(`${at}.image`));
    else if (c.image.trim() !== c.image) errs.push(fe.invalid(`${at}.image`, c.image, 'must not have leading or trailing whitespace'));
    if (c.lifecycle?.postStart) errs.push(...validateHandler(c.lifecycle.postStart, `${at}.lifecycle.postStart`, ['exec', 'httpGet', 'tcpSocket', 'sleep']));
    if (c.lifecycle?.preStop) errs.push(...validateHandler(c.lifecycle.preStop, `${at}.lifecycle.preStop`, ['exec', 'httpGet', 'tcpSocket', 'sleep']));
    if (opts.init && (c.livenessProbe || c.readinessProbe || c.startupProbe) && c.restartPolicy !== 'Always') {
      if (c.livenessProbe) errs.push(fe.forbidden(`${at}.livenessProbe`, 'may not be set for init containers without restartPolicy=Always'));
      if (c.readinessProbe) errs.push(fe.forbidden(`${at}.readinessProbe`, 'may not be set for init containers without restartPolicy=Always'));
      if (c.startupProbe) errs.push(fe.forbidden(`${at}.startupProbe`, 'may not be set for init containers without restartPolicy=Always'));
    } else {
      errs.push(...validateProbe(c.livenessProbe, `${at}.livenessProbe`, true));
      errs.push(...validateProbe(c.readinessProbe, `${at}.readinessProbe`, false));
      errs.push(...validateProbe(c.startupProbe, `${at}.startupProbe`, true));
    }
    errs.push(...validateContainerPorts(c.ports, `${at}.ports`));
    errs.push(...validateEnv(c.env, `${at}.env`));
    errs.push(...validateVolumeMounts(c.volumeMounts, volumes, `${at}.volumeMounts`));
    if (!c.terminationMessagePolicy) errs.push(fe.required(`${at}.terminationMessagePolicy`));
    else if (!TERMINATION_MESSAGE_POLICIES.includes(c.terminationMessagePolicy)) {
      errs.push(fe.notSupported(`${at}.terminationMessagePolicy`, c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES));
    }
    if (!c.imagePullPolicy) errs.push(fe.required(`${at}.imagePullPolicy`));
    else if (!PULL_POLICIES.includes(c.imagePullPolicy)) errs.push(fe.notSupported(`${at}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
    errs.push(...validateResources(c.resources, `${at}.resources`));
    errs.push(...validateSecurityContext(c.securityContext, `${at}.securityContext`));
    if (opts.init && c.restartPolicy !== undefined && c.restartPolicy !== 'Always') {
      errs.push(fe.notSupported(`${at}.restartPolicy`, c.restartPolicy, ['Always']));
    }
    if (!opts.init && c.restartPolicy !== undefined) errs.push(fe.forbidden(`${at}.restartPolicy`, 'may not be set for non-init containers'));
  });
  return errs;
}
