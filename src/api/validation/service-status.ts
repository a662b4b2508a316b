// ValidateServiceStatusUpdate: load-balancer ingress entries, with Kubernetes' texts
// (LoadBalancerIPMode on, AllowServiceLBStatusOnNonLB off, as in 1.32's defaults).
import type { Service } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../field-errors.js';
import { forbidden, invalid, notSupported, required } from '../field-errors.js';
import { isDNS1123Subdomain } from './names.js';
import { IP_MSG, isValidIP } from './service-net.js';

const IP_MODES = ['Proxy', 'VIP'];

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

export function validateServiceStatus(svc: Service): FieldError[] {
  // Kubernetes checks only the load-balancer part; conditions are taken as written.
  return validateIngress(svc);
}
