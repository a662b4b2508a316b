// Pod and PodTemplateSpec defaulting as pkg/apis/core/v1/defaults.go plus the declarative defaults
// of k8s.io/api/core/v1 (+default tags). PodSpec defaults apply wherever a PodSpec appears (pods
// and workload templates); setPodDefaults adds what only a Pod gets (SetDefaults_Pod).
// Not here, because Kubernetes does them in admission: serviceAccountName "default" and its token
// volume (ServiceAccount admission), the not-ready/unreachable tolerations (DefaultTolerationSeconds).
import type {
  Container,
  PersistentVolumeClaimSpec,
  Pod,
  PodSpec,
  PodTemplateSpec,
  Probe,
  Volume,
} from 'kubernetes-types/core/v1.js';
import { defaultPullPolicy } from './image.js';

export const TERMINATION_MESSAGE_PATH = '/dev/termination-log';
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
/** 0644: the default file mode of secret, configMap, downwardAPI and projected volumes. */
export const DEFAULT_VOLUME_MODE = 0o644;

/** The action part shared by probes and lifecycle hooks. */
type Handler = Pick<Probe, 'exec' | 'httpGet' | 'tcpSocket' | 'grpc'>;

function isUnset(v: unknown): v is undefined | null {
  return v === undefined || v === null;
}

function defaultHandler(h: Handler | undefined): void {
  if (!h) return;
  if (h.httpGet) {
    if (!h.httpGet.path) h.httpGet.path = '/';
    if (!h.httpGet.scheme) h.httpGet.scheme = 'HTTP';
  }
  if (h.grpc && isUnset(h.grpc.service)) h.grpc.service = '';
}

function defaultProbe(p: Probe | undefined): void {
  if (!p) return;
  defaultHandler(p);
  if (!p.timeoutSeconds) p.timeoutSeconds = 1;
  if (!p.periodSeconds) p.periodSeconds = 10;
  if (!p.successThreshold) p.successThreshold = 1;
  if (!p.failureThreshold) p.failureThreshold = 3;
}

export function setContainerDefaults(c: Container): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = defaultPullPolicy(c.image);
  if (!c.terminationMessagePath) c.terminationMessagePath = TERMINATION_MESSAGE_PATH;
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  // A Go struct, not a pointer: it is always present in Kubernetes' JSON.
  if (isUnset(c.resources)) c.resources = {};
  for (const p of c.ports ?? []) if (!p.protocol) p.protocol = 'TCP';
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.fieldRef;
    if (ref && !ref.apiVersion) ref.apiVersion = 'v1';
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
}

export function setPVCSpecDefaults(spec: PersistentVolumeClaimSpec | undefined): void {
  if (spec && isUnset(spec.volumeMode)) spec.volumeMode = 'Filesystem';
}

function setVolumeDefaults(v: Volume): void {
  const sources = Object.keys(v).filter((k) => k !== 'name' && !isUnset((v as unknown as Record<string, unknown>)[k]));
  if (sources.length === 0) v.emptyDir = {};
  if (v.secret && isUnset(v.secret.defaultMode)) v.secret.defaultMode = DEFAULT_VOLUME_MODE;
  if (v.configMap && isUnset(v.configMap.defaultMode)) v.configMap.defaultMode = DEFAULT_VOLUME_MODE;
  if (v.downwardAPI) {
    if (isUnset(v.downwardAPI.defaultMode)) v.downwardAPI.defaultMode = DEFAULT_VOLUME_MODE;
    for (const item of v.downwardAPI.items ?? []) if (item.fieldRef && !item.fieldRef.apiVersion) item.fieldRef.apiVersion = 'v1';
  }
  if (v.projected) {
    if (isUnset(v.projected.defaultMode)) v.projected.defaultMode = DEFAULT_VOLUME_MODE;
    for (const s of v.projected.sources ?? []) {
      if (s.serviceAccountToken && isUnset(s.serviceAccountToken.expirationSeconds)) s.serviceAccountToken.expirationSeconds = 3600;
      for (const item of s.downwardAPI?.items ?? []) if (item.fieldRef && !item.fieldRef.apiVersion) item.fieldRef.apiVersion = 'v1';
    }
  }
  if (v.hostPath && isUnset(v.hostPath.type)) v.hostPath.type = '';
  setPVCSpecDefaults(v.ephemeral?.volumeClaimTemplate?.spec);
}

export function setPodSpecDefaults(spec: PodSpec): void {
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  if (isUnset(spec.securityContext)) spec.securityContext = {};
  if (isUnset(spec.terminationGracePeriodSeconds)) spec.terminationGracePeriodSeconds = DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
  if (!spec.schedulerName) spec.schedulerName = DEFAULT_SCHEDULER_NAME;
  for (const c of spec.containers ?? []) setContainerDefaults(c);
  for (const c of spec.initContainers ?? []) setContainerDefaults(c);
  for (const c of spec.ephemeralContainers ?? []) setContainerDefaults(c as Container);
  for (const v of spec.volumes ?? []) setVolumeDefaults(v);
}

export function setPodTemplateSpecDefaults(t: PodTemplateSpec | undefined): void {
  if (!t) return;
  setPodSpecDefaults((t.spec ??= { containers: [] }));
}

/** requests default to limits, per resource, for a Pod's containers (not for templates). */
function defaultRequestsFromLimits(c: Container): void {
  const limits = c.resources?.limits;
  if (!limits || !c.resources) return;
  const requests = (c.resources.requests ??= {});
  for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
}

export function setPodDefaults(pod: Pod): void {
  const spec = (pod.spec ??= { containers: [] });
  setPodSpecDefaults(spec);
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) defaultRequestsFromLimits(c);
  if (isUnset(spec.enableServiceLinks)) spec.enableServiceLinks = true;
  // With the host's network, a container port is also a host port.
  if (spec.hostNetwork) {
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
}
