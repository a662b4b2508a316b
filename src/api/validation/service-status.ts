// ValidateServiceStatusUpdate: load-balancer ingress entries and conditions, with Kubernetes'
// texts (LoadBalancerIPMode on, AllowServiceLBStatusOnNonLB off, as in 1.32's defaults).
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Condition } from 'kubernetes-types/meta/v1.js';
import type { FieldError } from '../field-errors.js';
import { duplicate, forbidden, invalid, notSupported, required, tooLong } from '../field-errors.js';
import { isDNS1123Subdomain } from './names.js';
import { IP_MSG, isValidIP } from './service-net.js';
import { qualifiedNameErrors } from './service.js';

const IP_MODES = ['Proxy', 'VIP'];
const CONDITION_STATUSES = ['False', 'True', 'Unknown'];
const REASON_RE = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;
const REASON_MSG =
  "a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName',  or 'ReasonA,ReasonB',  or 'ReasonA:ReasonB', regex used for validation is '[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?')";

interface Ingress {
  ip?: string;
  hostname?: string;
  ipMode?: string;
}

function validateIngress(svc: Service): FieldError[] {
  const ingress = (svc.status?.loadBalancer?.ingress ?? []) as Ingress[];
  const path = 'status.loadBalancer.ingress';
  if (svc.spec?.type !== 'LoadBalancer' && ingress.length) return [forbidden(path, "may only be used when `spec.type` is 'LoadBalancer'")];
  const errs: FieldError[] = [];
  ingress.forEach((ing, i) => {
    const p = `${path}[${i}]`;
    if (ing.ip && !isValidIP(ing.ip)) errs.push(invalid(`${p}.ip`, ing.ip, IP_MSG));
    if (!ing.ipMode) {
      if (ing.ip) errs.push(required(`${p}.ipMode`, 'must be specified when `ip` is set'));
    } else if (!ing.ip) {
      errs.push(forbidden(`${p}.ipMode`, 'may not be specified when `ip` is not set'));
    } else if (!IP_MODES.includes(ing.ipMode)) {
      errs.push(notSupported(`${p}.ipMode`, ing.ipMode, IP_MODES));
    }
    if (ing.hostname) {
      for (const m of isDNS1123Subdomain(ing.hostname)) errs.push(invalid(`${p}.hostname`, ing.hostname, m));
      if (isValidIP(ing.hostname)) errs.push(invalid(`${p}.hostname`, ing.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

/** metav1validation.ValidateConditions. */
export function validateConditions(path: string, conds: Condition[] | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const types = new Set<string>();
  (conds ?? []).forEach((c, i) => {
    const p = `${path}[${i}]`;
    errs.push(...qualifiedNameErrors(`${p}.type`, c.type ?? ''));
    if (!CONDITION_STATUSES.includes(c.status)) errs.push(notSupported(`${p}.status`, c.status ?? '', CONDITION_STATUSES));
    if ((c.observedGeneration ?? 0) < 0) errs.push(invalid(`${p}.observedGeneration`, c.observedGeneration, 'must be greater than or equal to zero'));
    if (!c.lastTransitionTime) errs.push(required(`${p}.lastTransitionTime`, 'must be set'));
    if (!c.reason) errs.push(required(`${p}.reason`, 'must be set'));
    else {
      if (!REASON_RE.test(c.reason)) errs.push(invalid(`${p}.reason`, c.reason, REASON_MSG));
      if (c.reason.length > 1024) errs.push(tooLong(`${p}.reason`, c.reason, 1024));
    }
    if ((c.message ?? '').length > 32768) errs.push(tooLong(`${p}.message`, c.message, 32768));
    if (types.has(c.type)) errs.push(duplicate(`${p}.type`, c.type));
    types.add(c.type);
  });
  return errs;
}

export function validateServiceStatus(svc: Service): FieldError[] {
  return [...validateIngress(svc), ...validateConditions('status.conditions', svc.status?.conditions)];
}
