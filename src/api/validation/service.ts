// Service spec validation with the field paths and texts of Kubernetes' ValidateService
// (pkg/apis/core/validation). Runs after defaulting and after the registry normalized
// clusterIP/clusterIPs, but before allocation: an empty clusterIP or a zero
// healthCheckNodePort therefore means "to be allocated", not "missing".
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../field-errors.js';
import { GoValue, duplicate, forbidden, invalid, notSupported, required } from '../field-errors.js';
import { externallyAccessible } from '../defaults/services.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, isValidPortName, isValidPortNum } from './names.js';
import { IP_MSG, goStrings, isIPv6String, isValidIP, parseCIDR, validateCIDR, validateNonSpecialIP } from './service-net.js';

export const SUPPORTED_SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
export const SUPPORTED_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const SESSION_AFFINITIES = ['ClientIP', 'None'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
/** core.MaxClientIPServiceAffinitySeconds */
export const MAX_CLIENT_IP_AFFINITY_SECONDS = 86400;
/** ports.KubeletPort: cloud firewalls would open it for a LoadBalancer. */
const KUBELET_PORT = 10250;
const LB_SOURCE_RANGES_ANNOTATION = 'service.beta.kubernetes.io/load-balancer-source-ranges';

export function isHeadless(svc: Service): boolean {
  const ips = svc.spec?.clusterIPs;
  return ips?.length === 1 && ips[0] === 'None';
}

/** LoadBalancer with externalTrafficPolicy Local (pkg/api/service NeedsHealthCheck). */
export function needsHealthCheck(svc: Service): boolean {
  return svc.spec?.type === 'LoadBalancer' && svc.spec.externalTrafficPolicy === 'Local';
}

export function dns1123LabelErrors(field: string, v: string): FieldError[] {
  return isDNS1123Label(v).map((m) => invalid(field, v, m));
}

export function qualifiedNameErrors(field: string, v: string): FieldError[] {
  return isQualifiedName(v).map((m) => invalid(field, v, m));
}

/** metav1validation.ValidateLabels: every key a qualified name, every value a label value. */
export function labelErrors(field: string, labels: Record<string, string> | undefined): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...qualifiedNameErrors(field, k));
    for (const m of isValidLabelValue(String(v))) errs.push(invalid(field, v, m));
  }
  return errs;
}

/** ValidatePortNumOrName. */
export function portNumOrNameErrors(field: string, v: number | string | undefined): FieldError[] {
  if (typeof v === 'number') return isValidPortNum(v).map((m) => invalid(field, v, m));
  if (typeof v === 'string') return isValidPortName(v).map((m) => invalid(field, v, m));
  return [{ type: 'InternalError', field, detail: `unknown type: ${typeof v}` }];
}

/** How Go's %#v prints the (protocol, port) key of a duplicate Service port. */
function goPortKey(protocol: string, port: number): GoValue {
  return new GoValue(
    `core.ServicePort{Name:"", Protocol:${JSON.stringify(protocol)}, AppProtocol:(*string)(nil), Port:${port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`,
  );
}

function validatePort(p: ServicePort, requireName: boolean, names: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !p.name) errs.push(required(`${path}.name`));
  else if (p.name) {
    errs.push(...dns1123LabelErrors(`${path}.name`, p.name));
    if (names.has(p.name)) errs.push(duplicate(`${path}.name`, p.name));
    else names.add(p.name);
  }
  for (const m of isValidPortNum(p.port)) errs.push(invalid(`${path}.port`, p.port, m));
  if (!p.protocol) errs.push(required(`${path}.protocol`));
  else if (!SUPPORTED_PROTOCOLS.includes(p.protocol)) errs.push(notSupported(`${path}.protocol`, p.protocol, SUPPORTED_PROTOCOLS));
  errs.push(...portNumOrNameErrors(`${path}.targetPort`, p.targetPort));
  if (p.appProtocol !== undefined && p.appProtocol !== null) errs.push(...qualifiedNameErrors(`${path}.appProtocol`, p.appProtocol));
  return errs;
}

function validateTypeSpecific(svc: Service): FieldError[] {
  const spec = svc.spec ?? {};
  const errs: FieldError[] = [];
  switch (spec.type) {
    case 'LoadBalancer':
      if (isHeadless(svc)) errs.push(invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for LoadBalancer services"));
      (spec.ports ?? []).forEach((p, i) => {
        if (p.port === KUBELET_PORT) {
          errs.push(invalid(`spec.ports[${i}]`, p.port, `may not expose port ${KUBELET_PORT} externally since it is used by kubelet`));
        }
      });
      break;
    case 'NodePort':
      if (isHeadless(svc)) errs.push(invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for NodePort services"));
      break;
    case 'ExternalName': {
      if ((spec.clusterIPs?.length ?? 0) > 0) errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
      if ((spec.ipFamilies?.length ?? 0) > 0) errs.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
      if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null) {
        errs.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
      }
      // A trailing dot marks the CNAME as fully qualified.
      const cname = (spec.externalName ?? '').replace(/\.$/, '');
      if (cname) for (const m of isDNS1123Subdomain(cname)) errs.push(invalid('spec.externalName', cname, m));
      else errs.push(required('spec.externalName'));
      break;
    }
  }
  return errs;
}

function validateAffinity(svc: Service): FieldError[] {
  const spec = svc.spec ?? {};
  const errs: FieldError[] = [];
  const path = 'spec.sessionAffinityConfig';
  if (!spec.sessionAffinity) errs.push(required('spec.sessionAffinity'));
  else if (!SESSION_AFFINITIES.includes(spec.sessionAffinity)) errs.push(notSupported('spec.sessionAffinity', spec.sessionAffinity, SESSION_AFFINITIES));
  if (spec.sessionAffinity === 'ClientIP') {
    const c = spec.sessionAffinityConfig;
    const why = 'when session affinity type is ClientIP';
    if (!c) errs.push(required(path, why));
    else if (!c.clientIP) errs.push(required(`${path}.clientIP`, why));
    else if (c.clientIP.timeoutSeconds === undefined || c.clientIP.timeoutSeconds === null) errs.push(required(`${path}.clientIP.timeoutSeconds`, why));
    else {
      const t = c.clientIP.timeoutSeconds;
      if (t <= 0 || t > MAX_CLIENT_IP_AFFINITY_SECONDS) {
        errs.push(invalid(`${path}.clientIP.timeoutSeconds`, t, `must be greater than 0 and less than ${MAX_CLIENT_IP_AFFINITY_SECONDS}`));
      }
    }
  } else if (spec.sessionAffinity === 'None' && spec.sessionAffinityConfig) {
    errs.push(forbidden(path, 'must not be set when session affinity is None'));
  }
  return errs;
}

/** ValidateServiceClusterIPsRelatedFields (ExternalName is checked elsewhere). */
export function validateClusterIPFields(svc: Service): FieldError[] {
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ips = spec.clusterIPs ?? [];
  if (spec.clusterIP) {
    if (ips.length === 0) errs.push(required('spec.clusterIPs'));
    else if (ips[0] !== spec.clusterIP) errs.push(invalid('spec.clusterIPs', goStrings(spec.clusterIPs), 'first value must match `clusterIP`'));
  } else if (ips.length) {
    errs.push(invalid('spec.clusterIPs', goStrings(spec.clusterIPs), 'must be empty when `clusterIP` is not specified'));
  }
  const seen = new Set<string>();
  (spec.ipFamilies ?? []).forEach((f, i) => {
    if (!IP_FAMILIES.includes(f)) errs.push(notSupported(`spec.ipFamilies[${i}]`, f, IP_FAMILIES));
    if (seen.has(f)) errs.push(duplicate(`spec.ipFamilies[${i}]`, f));
    seen.add(f);
  });
  if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null && !IP_FAMILY_POLICIES.includes(spec.ipFamilyPolicy)) {
    errs.push(notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, IP_FAMILY_POLICIES));
  }
  let badIPs = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        badIPs = true;
        errs.push(invalid('spec.clusterIPs', goStrings(ips), "'None' must be the first and only value"));
      }
      return;
    }
    if (!isValidIP(ip)) {
      badIPs = true;
      errs.push(invalid(`spec.clusterIPs[${i}]`, ip, IP_MSG));
    }
  });
  if (ips.length > 2) errs.push(invalid('spec.clusterIPs', goStrings(ips), 'may only hold up to 2 values'));
  if (badIPs) return errs;
  if (ips.length > 1 && isIPv6String(ips[0]) === isIPv6String(ips[1])) {
    errs.push(invalid('spec.clusterIPs', goStrings(ips), 'may specify no more than one IP for each IP family'));
  }
  const fams = spec.ipFamilies ?? [];
  if (!isHeadless(svc)) {
    ips.forEach((ip, i) => {
      if (i >= fams.length) return;
      if (fams[i] === 'IPv4' && isIPv6String(ip)) errs.push(invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (fams[i] === 'IPv6' && !isIPv6String(ip)) errs.push(invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

function validateSourceRanges(svc: Service): FieldError[] {
  const spec = svc.spec ?? {};
  const errs: FieldError[] = [];
  const onlyLB = "may only be used when `type` is 'LoadBalancer'";
  if ((spec.loadBalancerSourceRanges?.length ?? 0) > 0) {
    // Kubernetes' historical capital L in this path is kept: users grep for it.
    const path = 'spec.LoadBalancerSourceRanges';
    if (spec.type !== 'LoadBalancer') errs.push(forbidden(path, onlyLB));
    // Space padding is tolerated (left over from the annotation days).
    spec.loadBalancerSourceRanges!.forEach((v, i) => errs.push(...validateCIDR(`${path}[${i}]`, v.trim())));
  } else {
    const val = svc.metadata?.annotations?.[LB_SOURCE_RANGES_ANNOTATION];
    if (val !== undefined) {
      const path = `metadata.annotations[${LB_SOURCE_RANGES_ANNOTATION}]`;
      if (spec.type !== 'LoadBalancer') errs.push(forbidden(path, onlyLB));
      const trimmed = val.trim();
      if (trimmed) {
        for (const part of trimmed.split(',')) {
          const v = part.trim();
          if (!parseCIDR(v)) errs.push(invalid(path, v, 'must be a list of IP ranges. For example, 10.240.0.0/24,10.250.0.0/24 '));
        }
      }
    }
  }
  return errs;
}

function validateTrafficPolicies(svc: Service): FieldError[] {
  const spec = svc.spec ?? {};
  const errs: FieldError[] = [];
  if (!externallyAccessible(svc)) {
    if (spec.externalTrafficPolicy) {
      errs.push(invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
    }
  } else if (!spec.externalTrafficPolicy) {
    errs.push(required('spec.externalTrafficPolicy'));
  } else if (!TRAFFIC_POLICIES.includes(spec.externalTrafficPolicy)) {
    errs.push(notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, TRAFFIC_POLICIES));
  }
  const hc = spec.healthCheckNodePort ?? 0;
  if (!needsHealthCheck(svc)) {
    if (hc !== 0) {
      errs.push(invalid('spec.healthCheckNodePort', hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
    }
  } else if (hc !== 0) {
    // 0 is allowed here: the allocator assigns one right after validation.
    for (const m of isValidPortNum(hc)) errs.push(invalid('spec.healthCheckNodePort', hc, m));
  }
  const itp = spec.internalTrafficPolicy;
  if (itp === undefined || itp === null) {
    // Tolerated on ExternalName, where it was once defaulted.
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer' || spec.type === 'ClusterIP') errs.push(required('spec.internalTrafficPolicy'));
  } else if (!TRAFFIC_POLICIES.includes(itp)) {
    errs.push(notSupported('spec.internalTrafficPolicy', itp, TRAFFIC_POLICIES));
  }
  const td = (spec as { trafficDistribution?: string }).trafficDistribution;
  if (td !== undefined && td !== null && td !== 'PreferClose') errs.push(notSupported('spec.trafficDistribution', td, ['PreferClose']));
  return errs;
}

/** validateLoadBalancerClassField; `old` only on update. */
export function validateLoadBalancerClass(svc: Service, old?: Service): FieldError[] {
  const errs: FieldError[] = [];
  const cls = svc.spec?.loadBalancerClass;
  if (old && old.spec?.type === 'LoadBalancer' && svc.spec?.type === 'LoadBalancer' && (old.spec.loadBalancerClass ?? null) !== (cls ?? null)) {
    errs.push(invalid('spec.loadBalancerClass', cls ?? null, 'may not change once set'));
  }
  if (cls === undefined || cls === null) return errs;
  if (svc.spec?.type === 'LoadBalancer') errs.push(...qualifiedNameErrors('spec.loadBalancerClass', cls));
  else errs.push(forbidden('spec.loadBalancerClass', "may only be used when `type` is 'LoadBalancer'"));
  return errs;
}

export function validateService(svc: Service): FieldError[] {
  const spec = svc.spec ?? {};
  const errs: FieldError[] = [];
  const ports = spec.ports ?? [];
  if (ports.length === 0 && !isHeadless(svc) && spec.type !== 'ExternalName') errs.push(required('spec.ports'));
  errs.push(...validateTypeSpecific(svc));

  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validatePort(p, ports.length > 1, names, `spec.ports[${i}]`)));

  if (spec.selector) errs.push(...labelErrors('spec.selector', spec.selector));
  errs.push(...validateAffinity(svc));
  errs.push(...validateClusterIPFields(svc));

  (spec.externalIPs ?? []).forEach((ip, i) => {
    const path = `spec.externalIPs[${i}]`;
    if (!isValidIP(ip)) errs.push(invalid(path, ip, IP_MSG));
    else errs.push(...validateNonSpecialIP(path, ip));
  });

  if (!spec.type) errs.push(required('spec.type'));
  else if (!SUPPORTED_SERVICE_TYPES.includes(spec.type)) errs.push(notSupported('spec.type', spec.type, SUPPORTED_SERVICE_TYPES));

  if (spec.type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (p.nodePort) errs.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }

  // Node ports and ports are unique per (protocol, number).
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!p.nodePort) return;
    const k = `${p.protocol}/${p.nodePort}`;
    if (nodePorts.has(k)) errs.push(duplicate(`spec.ports[${i}].nodePort`, p.nodePort));
    nodePorts.add(k);
  });
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const k = `${p.protocol}/${p.port}`;
    if (seen.has(k)) errs.push(duplicate(`spec.ports[${i}]`, goPortKey(p.protocol ?? '', p.port)));
    seen.add(k);
  });

  errs.push(...validateSourceRanges(svc));

  const alloc = spec.allocateLoadBalancerNodePorts;
  if (alloc !== undefined && alloc !== null && spec.type !== 'LoadBalancer') {
    errs.push(forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"));
  }
  if (spec.type === 'LoadBalancer' && (alloc === undefined || alloc === null)) {
    // Kubernetes reports this one without the "spec." prefix.
    errs.push(required('allocateLoadBalancerNodePorts'));
  }
  errs.push(...validateLoadBalancerClass(svc));
  errs.push(...validateTrafficPolicies(svc));
  return errs;
}
