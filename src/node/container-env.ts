// A container's environment as the kubelet builds it: service links first (Services existing at
// container start), then envFrom, then env in order with $(VAR) expansion, downward-API fieldRefs
// and configMapKeyRef. A missing, non-optional ConfigMap or key is CreateContainerConfigError.
import type { ConfigMap, Container, Pod, Service } from 'kubernetes-types/core/v1.js';
import { expandVars } from './images/catalog.js';

export class ContainerConfigError extends Error {}

export interface EnvSources {
  /** Services to link: the pod namespace's (if enableServiceLinks) plus default/kubernetes. */
  services: readonly Service[];
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  podIP: string;
  hostIP: string;
  busyboxPath?: string;
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

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
  for (const from of c.envFrom ?? []) {
    if (!from.configMapRef?.name) continue;
    const map = await cm(from.configMapRef.name, from.configMapRef.optional);
    for (const [k, v] of Object.entries(map?.data ?? {})) env.set(`${from.prefix ?? ''}${k}`, v);
  }
  for (const e of c.env ?? []) {
    const vf = e.valueFrom;
    if (!vf) env.set(e.name, expandVars(e.value ?? '', env));
    else if (vf.fieldRef) env.set(e.name, fieldValue(pod, vf.fieldRef.fieldPath, src));
    else if (vf.configMapKeyRef) {
      const ref = vf.configMapKeyRef;
      const map = await cm(ref.name ?? '', ref.optional);
      const value = map?.data?.[ref.key];
      if (map && value === undefined && !ref.optional) throw new ContainerConfigError(`couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}`);
      if (value !== undefined) env.set(e.name, value);
    } else if (vf.secretKeyRef) {
      throw new ContainerConfigError(`secret "${vf.secretKeyRef.name}" not found`);
    }
  }
  return env;
}
