// Endpoints validation with the paths and texts of Kubernetes' ValidateEndpoints
// (pkg/apis/core/validation). Loopback, link-local and unspecified addresses are refused, as in
// Kubernetes. The 1000-address cap of the Endpoints controller is a controller rule (it truncates
// and annotates), not a validation rule, so it is not here.
import type { EndpointAddress, EndpointPort, EndpointSubset, Endpoints } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../field-errors.js';
import { invalid, notSupported, required } from '../field-errors.js';
import { isDNS1123Subdomain } from './names.js';
import { SUPPORTED_PROTOCOLS, dns1123LabelErrors, qualifiedNameErrors } from './service.js';
import { IP_MSG, allowApiserverLoopback, isValidIP, validateNonSpecialIP } from './service-net.js';

function validateAddress(a: EndpointAddress, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const ip = a.ip ?? '';
  if (!isValidIP(ip)) errs.push(invalid(`${path}.ip`, ip, IP_MSG));
  if (a.hostname) errs.push(...dns1123LabelErrors(`${path}.hostname`, a.hostname));
  if (a.nodeName !== undefined && a.nodeName !== null) {
    for (const m of isDNS1123Subdomain(a.nodeName)) errs.push(invalid(`${path}.nodeName`, a.nodeName, m));
  }
  errs.push(...validateNonSpecialIP(`${path}.ip`, ip));
  return errs;
}

function validatePort(p: EndpointPort, requireName: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !p.name) errs.push(required(`${path}.name`));
  else if (p.name) errs.push(...dns1123LabelErrors(`${path}.name`, p.name));
  if (!(Number.isInteger(p.port) && p.port >= 1 && p.port <= 65535)) errs.push(invalid(`${path}.port`, p.port, 'must be between 1 and 65535, inclusive'));
  if (!p.protocol) errs.push(required(`${path}.protocol`));
  else if (!SUPPORTED_PROTOCOLS.includes(p.protocol)) errs.push(notSupported(`${path}.protocol`, p.protocol, SUPPORTED_PROTOCOLS));
  if (p.appProtocol !== undefined && p.appProtocol !== null) errs.push(...qualifiedNameErrors(`${path}.appProtocol`, p.appProtocol));
  return errs;
}

function validateSubset(ss: EndpointSubset, path: string): FieldError[] {
  const errs: FieldError[] = [];
  // A headless Service's endpoints may have no ports, but every subset needs an address.
  if (!ss.addresses?.length && !ss.notReadyAddresses?.length) errs.push(required(path, 'must specify `addresses` or `notReadyAddresses`'));
  (ss.addresses ?? []).forEach((a, i) => errs.push(...validateAddress(a, `${path}.addresses[${i}]`)));
  (ss.notReadyAddresses ?? []).forEach((a, i) => errs.push(...validateAddress(a, `${path}.notReadyAddresses[${i}]`)));
  const ports = ss.ports ?? [];
  ports.forEach((p, i) => errs.push(...validatePort(p, ports.length > 1, `${path}.ports[${i}]`)));
  return errs;
}

export function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs: FieldError[] = [];
  (ep.subsets ?? []).forEach((ss, i) => errs.push(...validateSubset(ss, `subsets[${i}]`)));
  return allowApiserverLoopback(ep.metadata, errs);
}

/** SetDefaults_EndpointPort: protocol TCP. */
export function setEndpointsDefaults(ep: Endpoints): void {
  for (const ss of ep.subsets ?? []) for (const p of ss.ports ?? []) if (!p.protocol) p.protocol = 'TCP';
}
