// A container's environment as the kubelet builds it: service links first (Services existing at
// container start), then envFrom (ConfigMaps and Secrets, with prefix), then env in order with
// $(VAR) expansion, downward-API fieldRefs, configMapKeyRef and secretKeyRef. A missing,
// non-optional ConfigMap, Secret or key is CreateContainerConfigError, with the kubelet's text.
import type { ConfigMap, Container, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import { expandVars } from './images/catalog.js';

export class ContainerConfigError extends Error {}

export interface EnvSources {
  /** Services to link: the pod namespace's (if enableServiceLinks) plus default/kubernetes. */
  services: readonly Service[];
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  /** Without it every Secret counts as missing. */
  secret?(namespace: string, name: string): Promise<Secret | undefined>;
  podIP: string;
  hostIP: string;
  busyboxPath?: string;
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** validation.IsEnvVarName as relaxed in Kubernetes 1.32: printable ASCII without '='. */
const isEnvVarName = (s: string) => s.length > 0 && /^[\x20-\x3c\x3e-\x7e]+$/.test(s);

const envName = (s: string) => s.toUpperCase().replace(/-/g, '_');

/** Docker-links-style variables for one Service (pkg/kubelet/envvars). */
export function serviceEnv(svc: Service): Array<[string, string]> {
  const ip = svc.spec?.clusterIP;
  const ports = svc.spec?.ports ?? [];
  if (!ip || ip === 'None' || ports.length === 0) return [];
  const p = envName(svc.metadata?.name ?? '');
  const out: Array<[string, string]> = [
    [`${p}_SERVICE_HOST`, ip],
    [`${p}_SERVICE_PORT`, String(ports[0].port)],
  ];
  for (const port of ports) if (port.name) out.push([`${p}_SERVICE_PORT_${envName(port.name)}`, String(port.port)]);
  const proto0 = (ports[0].protocol ?? 'TCP').toLowerCase();
  out.push([`${p}_PORT`, `${proto0}://${ip}:${ports[0].port}`]);
  for (const port of ports) {
    const proto = port.protocol ?? 'TCP';
    const k = `${p}_PORT_${port.port}_${proto}`;
    out.push([k, `${proto.toLowerCase()}://${ip}:${port.port}`], [`${k}_PROTO`, proto.toLowerCase()], [`${k}_PORT`, String(port.port)], [`${k}_ADDR`, ip]);
  }
  return out;
}

function fieldValue(pod: Pod, path: string, src: EnvSources): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (m[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations)?.[m[2]] ?? '';
  switch (path) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
    case 'status.podIPs':
      return src.podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return src.hostIP;
    default:
      return '';
  }
}

export async function containerEnv(pod: Pod, c: Container, hostname: string, src: EnvSources): Promise<Map<string, string>> {
  const ns = pod.metadata?.namespace ?? 'default';
  const env = new Map<string, string>([
    ['PATH', src.busyboxPath ? `${src.busyboxPath}:${DEFAULT_PATH}` : DEFAULT_PATH],
    ['HOSTNAME', hostname],
    ['HOME', '/root'],
  ]);
  for (const svc of src.services) for (const [k, v] of serviceEnv(svc)) env.set(k, v);
  const cm = async (name: string, optional: boolean | undefined) => {
    const found = await src.configMap(ns, name);
    if (!found && !optional) throw new ContainerConfigError(`configmap "${name}" not found`);
    return found;
  };
  // Secret values arrive base64-encoded; the environment gets the bytes.
  const secret = async (name: string, optional: boolean | undefined) => {
    const found = await src.secret?.(ns, name);
    if (!found && !optional) throw new ContainerConfigError(`secret "${name}" not found`);
    return found && { data: Object.fromEntries(Object.entries(found.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])) };
  };
  for (const from of c.envFrom ?? []) {
    const values = from.configMapRef?.name
      ? (await cm(from.configMapRef.name, from.configMapRef.optional))?.data
      : from.secretRef?.name
        ? (await secret(from.secretRef.name, from.secretRef.optional))?.data
        : undefined;
    for (const [k, v] of Object.entries(values ?? {})) {
      const key = `${from.prefix ?? ''}${k}`;
      // The kubelet skips (with a warning event) keys that are not environment variable names.
      if (isEnvVarName(key)) env.set(key, v);
    }
  }
  for (const e of c.env ?? []) {
    const vf = e.valueFrom;
    if (!vf) env.set(e.name, expandVars(e.value ?? '', env));
    else if (vf.fieldRef) env.set(e.name, fieldValue(pod, vf.fieldRef.fieldPath, src));
    else if (vf.configMapKeyRef || vf.secretKeyRef) {
      const ref = (vf.configMapKeyRef ?? vf.secretKeyRef)!;
      const kind = vf.configMapKeyRef ? 'ConfigMap' : 'Secret';
      const found = vf.configMapKeyRef ? await cm(ref.name ?? '', ref.optional) : await secret(ref.name ?? '', ref.optional);
      const value = found?.data?.[ref.key];
      if (found && value === undefined && !ref.optional) throw new ContainerConfigError(`couldn't find key ${ref.key} in ${kind} ${ns}/${ref.name}`);
      if (value !== undefined) env.set(e.name, value);
    }
  }
  return env;
}
