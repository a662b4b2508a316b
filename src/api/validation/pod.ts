// Pod and PodTemplateSpec validation as pkg/apis/core/validation (ValidatePodSpec, ValidatePodUpdate),
// with Kubernetes' field paths and message texts.
import { isIP } from 'node:net';
import type { Pod, PodSpec, PodTemplateSpec, Toleration, Volume } from 'kubernetes-types/core/v1.js';
import * as fe from '../field-errors.js';
import type { FieldError } from '../field-errors.js';
import { deepEqual, validateAnnotations, validateLabels } from './common.js';
import { validateContainers, validateID } from './container.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from './names.js';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const TOLERATION_OPERATORS = ['Equal', 'Exists'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** The volume sources kubesvc knows of; one and only one must be set. */
const VOLUME_SOURCES = ['hostPath', 'emptyDir', 'secret', 'persistentVolumeClaim', 'downwardAPI', 'configMap', 'projected', 'csi', 'ephemeral', 'image', 'nfs'];

function validateVolumes(volumes: Volume[] | undefined, path: string): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (volumes ?? []).forEach((v, i) => {
    const at = `${path}[${i}]`;
    if (!v.name) errs.push(fe.required(`${at}.name`));
    else {
      const msgs = isDNS1123Label(v.name);
      for (const m of msgs) errs.push(fe.invalid(`${at}.name`, v.name, m));
      if (!msgs.length && names.has(v.name)) errs.push(fe.duplicate(`${at}.name`, v.name));
      names.add(v.name);
    }
    const set = VOLUME_SOURCES.filter((k) => (v as unknown as Record<string, unknown>)[k]);
    if (set.length === 0) errs.push(fe.required(at, 'must specify a volume type'));
    else if (set.length > 1) errs.push(fe.forbidden(`${at}.${set[1]}`, 'may not specify more than 1 volume type'));
    if (v.hostPath && !v.hostPath.path) errs.push(fe.required(`${at}.hostPath.path`));
    if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) errs.push(fe.required(`${at}.persistentVolumeClaim.claimName`));
    if (v.configMap && !v.configMap.name) errs.push(fe.required(`${at}.configMap.name`));
    if (v.secret && !v.secret.secretName) errs.push(fe.required(`${at}.secret.secretName`));
  });
  return { errs, names };
}

function validateTolerations(tolerations: Toleration[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const at = `${path}[${i}]`;
    if (t.key) for (const m of isQualifiedName(t.key)) errs.push(fe.invalid(`${at}.key`, t.key, m));
    if (!t.key && t.operator !== 'Exists') {
      errs.push(fe.invalid(`${at}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (typeof t.tolerationSeconds === 'number' && t.effect !== 'NoExecute') {
      errs.push(fe.invalid(`${at}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (!t.operator || t.operator === 'Equal') {
      const msgs = isValidLabelValue(t.value ?? '');
      if (msgs.length) errs.push(fe.invalid(`${at}.operator`, t.value ?? '', msgs.join(';')));
    } else if (t.operator === 'Exists') {
      if (t.value) errs.push(fe.invalid(`${at}.operator`, t, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(fe.notSupported(`${at}.operator`, t.operator, TOLERATION_OPERATORS));
    }
    if (t.effect && !TAINT_EFFECTS.includes(t.effect)) errs.push(fe.notSupported(`${at}.effect`, t.effect, TAINT_EFFECTS));
  });
  return errs;
}

/** ValidatePodSpec. `path` is where the spec sits: `spec` or `spec.template.spec`. */
export function validatePodSpec(spec: PodSpec | undefined, path: string): FieldError[] {
  if (!spec) return [fe.required(path)];
  const errs: FieldError[] = [];
  const vols = validateVolumes(spec.volumes, `${path}.volumes`);
  errs.push(...vols.errs);
  const names = new Set<string>();
  if (!(spec.containers ?? []).length) errs.push(fe.required(`${path}.containers`));
  // Regular containers first: a name clash is reported on the init container, as Kubernetes does.
  errs.push(...validateContainers(spec.containers, `${path}.containers`, vols.names, names, { init: false }));
  errs.push(...validateContainers(spec.initContainers, `${path}.initContainers`, vols.names, names, { init: true }));
  const rp = spec.restartPolicy;
  if (!rp) errs.push(fe.required(`${path}.restartPolicy`));
  else if (!RESTART_POLICIES.includes(rp)) errs.push(fe.notSupported(`${path}.restartPolicy`, rp, RESTART_POLICIES));
  const dp = spec.dnsPolicy;
  if (!dp) errs.push(fe.required(`${path}.dnsPolicy`));
  else if (!DNS_POLICIES.includes(dp)) errs.push(fe.notSupported(`${path}.dnsPolicy`, dp, DNS_POLICIES));
  else if (dp === 'None' && !spec.dnsConfig) errs.push(fe.required(`${path}.dnsConfig`, 'must provide `dnsConfig` when `dnsPolicy` is None'));
  errs.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  const psc = spec.securityContext;
  if (psc) {
    errs.push(...validateID(psc.fsGroup, `${path}.securityContext.fsGroup`));
    errs.push(...validateID(psc.runAsUser, `${path}.securityContext.runAsUser`));
    errs.push(...validateID(psc.runAsGroup, `${path}.securityContext.runAsGroup`));
    (psc.supplementalGroups ?? []).forEach((g, i) => errs.push(...validateID(g, `${path}.securityContext.supplementalGroups[${i}]`)));
  }
  if (spec.serviceAccountName) {
    for (const m of isDNS1123Subdomain(spec.serviceAccountName)) errs.push(fe.invalid(`${path}.serviceAccountName`, spec.serviceAccountName, m));
  }
  if (spec.nodeName) for (const m of isDNS1123Subdomain(spec.nodeName)) errs.push(fe.invalid(`${path}.nodeName`, spec.nodeName, m));
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    const v = spec.activeDeadlineSeconds;
    if (!Number.isInteger(v) || v < 1 || v > 2147483647) {
      errs.push(fe.invalid(`${path}.activeDeadlineSeconds`, v, 'must be between 1 and 2147483647, inclusive'));
    }
  }
  if (spec.hostname) for (const m of isDNS1123Label(spec.hostname)) errs.push(fe.invalid(`${path}.hostname`, spec.hostname, m));
  if (spec.subdomain) for (const m of isDNS1123Label(spec.subdomain)) errs.push(fe.invalid(`${path}.subdomain`, spec.subdomain, m));
  errs.push(...validateTolerations(spec.tolerations, `${path}.tolerations`));
  if (spec.schedulerName) for (const m of isDNS1123Subdomain(spec.schedulerName)) errs.push(fe.invalid(`${path}.schedulerName`, spec.schedulerName, m));
  return errs;
}

/** ValidatePodTemplateSpec: template labels/annotations, then the spec. `path` e.g. `spec.template`. */
export function validatePodTemplateSpec(t: PodTemplateSpec | undefined, path: string): FieldError[] {
  if (!t) return [fe.required(path)];
  return [
    ...validateLabels(t.metadata?.labels, `${path}.metadata.labels`),
    ...validateAnnotations(t.metadata?.annotations, `${path}.metadata.annotations`),
    ...validatePodSpec(t.spec, `${path}.spec`),
  ];
}

export function validatePod(pod: Pod): FieldError[] {
  const errs = validatePodSpec(pod.spec, 'spec');
  // Host ports must be unique per protocol across the pod (AccumulateUniqueHostPorts).
  const seen = new Set<string>();
  for (const [list, key] of [
    [pod.spec?.containers, 'containers'],
    [pod.spec?.initContainers, 'initContainers'],
  ] as const) {
    (list ?? []).forEach((c, i) =>
      (c.ports ?? []).forEach((p, j) => {
        if (!p.hostPort) return;
        const id = `${p.hostPort}/${p.protocol ?? 'TCP'}`;
        if (seen.has(id)) errs.push(fe.duplicate(`spec.${key}[${i}].ports[${j}].hostPort`, id));
        seen.add(id);
      }),
    );
  }
  return errs;
}

const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/**
 * ValidatePodUpdate: the new pod must be valid and its spec may change only in container images,
 * activeDeadlineSeconds (set, or lowered), tolerations (additions) and a negative
 * terminationGracePeriodSeconds becoming 1; removing scheduling gates is also allowed.
 */
export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs = validatePod(pod);
  const spec = pod.spec;
  const oldSpec = old.spec;
  if (!spec || !oldSpec) return errs;
  const ads = spec.activeDeadlineSeconds;
  const oldAds = oldSpec.activeDeadlineSeconds;
  if (typeof oldAds === 'number' && (typeof ads !== 'number' || ads > oldAds)) {
    errs.push(fe.invalid('spec.activeDeadlineSeconds', ads ?? null, 'must be less than or equal to previous value'));
  }
  const oldTols = oldSpec.tolerations ?? [];
  const newTols = spec.tolerations ?? [];
  if (!oldTols.every((t) => newTols.some((n) => deepEqual(n, t)))) {
    errs.push(fe.forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
  }
  // Compare with everything mutable carried over from the new spec.
  const probe = structuredClone(oldSpec);
  const withImages = (mine: typeof probe.containers | undefined, theirs: typeof spec.containers | undefined) =>
    (mine ?? []).forEach((c, i) => {
      const n = theirs?.[i];
      if (n) c.image = n.image;
    });
  if ((probe.containers ?? []).length === (spec.containers ?? []).length) withImages(probe.containers, spec.containers);
  if ((probe.initContainers ?? []).length === (spec.initContainers ?? []).length) withImages(probe.initContainers, spec.initContainers);
  probe.activeDeadlineSeconds = spec.activeDeadlineSeconds;
  probe.tolerations = spec.tolerations;
  if ((oldSpec.terminationGracePeriodSeconds ?? 0) < 0 && spec.terminationGracePeriodSeconds === 1) probe.terminationGracePeriodSeconds = 1;
  if ((spec.schedulingGates ?? []).every((g) => (oldSpec.schedulingGates ?? []).some((o) => o.name === g.name))) {
    probe.schedulingGates = spec.schedulingGates;
  }
  for (const k of Object.keys(probe) as (keyof PodSpec)[]) if (probe[k] === undefined) delete probe[k];
  if (!deepEqual(probe, spec)) errs.push(fe.forbidden('spec', POD_UPDATE_FORBIDDEN));
  return errs;
}

const IP_ERROR = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

/** status.podIPs / status.hostIPs: valid IPs, at most one per family, no duplicates. */
function validateIPList(list: { ip?: string }[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const ips = (list ?? []).map((x) => x.ip);
  ips.forEach((ip, i) => {
    if (!isIP(ip ?? '')) errs.push(fe.invalid(`${path}[${i}].ip`, ip ?? '', IP_ERROR));
  });
  if (ips.length > 1) {
    const families = new Set(ips.map((ip) => isIP(ip ?? '')));
    if (ips.length > 2 || families.size !== ips.length) errs.push(fe.invalid(path, ips, 'may specify no more than one IP for each IP family'));
    const seen = new Set<string>();
    (list ?? []).forEach((x, i) => {
      const ip = x.ip ?? '';
      if (seen.has(ip)) errs.push(fe.duplicate(`${path}[${i}]`, x));
      seen.add(ip);
    });
  }
  return errs;
}

/** ValidatePodStatusUpdate, for what the node agent and scheduler write through /status. */
export function validatePodStatusUpdate(pod: Pod): FieldError[] {
  const s = pod.status ?? {};
  const errs: FieldError[] = [];
  if (s.nominatedNodeName) for (const m of isDNS1123Subdomain(s.nominatedNodeName)) errs.push(fe.invalid('status.nominatedNodeName', s.nominatedNodeName, m));
  errs.push(...validateIPList(s.podIPs, 'status.podIPs'));
  errs.push(...validateIPList(s.hostIPs, 'status.hostIPs'));
  return errs;
}
