// EndpointSlice validation with the paths and texts of Kubernetes' pkg/apis/discovery/validation:
// addressType, at most 1000 endpoints of 1..100 addresses each, address syntax per type, node
// name, zone, hostname, hints, and up to 20000 uniquely named ports.
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { FieldError } from '../field-errors.js';
import { duplicate, invalid, notSupported, required, tooMany } from '../field-errors.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidLabelValue } from './names.js';
import { SUPPORTED_PROTOCOLS, dns1123LabelErrors, labelErrors, qualifiedNameErrors } from './service.js';
import { IPV4_MSG, IPV6_MSG, allowApiserverLoopback, validateNonSpecialIP } from './service-net.js';
import { isIPv4, isIPv6 } from 'node:net';

export const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
export const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 20000;
const MAX_TOPOLOGY_LABELS = 16;
const MAX_ZONE_HINTS = 8;

/** IsFullyQualifiedDomainName. */
function fqdnErrors(path: string, name: string): FieldError[] {
  if (!name) return [required(path)];
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  const sub = isDNS1123Subdomain(n);
  if (sub.length) return [invalid(path, n, sub.join(','))];
  const labels = n.split('.');
  if (labels.length < 2) return [invalid(path, n, 'should be a domain with at least two segments separated by dots')];
  for (const l of labels) {
    const e = isDNS1123Label(l);
    if (e.length) return [invalid(path, l, e.join(','))];
  }
  return [];
}

function validateEndpoint(ep: Endpoint, addressType: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const ap = `${path}.addresses`;
  const addrs = ep.addresses ?? [];
  if (addrs.length === 0) errs.push(required(ap, 'must contain at least 1 address'));
  else if (addrs.length > MAX_ADDRESSES) errs.push(tooMany(ap, addrs.length, MAX_ADDRESSES));
  addrs.forEach((a, i) => {
    const p = `${ap}[${i}]`;
    if (addressType === 'IPv4') errs.push(...(isIPv4(a) ? validateNonSpecialIP(p, a) : [invalid(p, a, IPV4_MSG)]));
    else if (addressType === 'IPv6') errs.push(...(isIPv6(a) ? validateNonSpecialIP(p, a) : [invalid(p, a, IPV6_MSG)]));
    else if (addressType === 'FQDN') errs.push(...fqdnErrors(p, a));
  });
  if (ep.nodeName !== undefined && ep.nodeName !== null) {
    for (const m of isDNS1123Subdomain(ep.nodeName)) errs.push(invalid(`${path}.nodeName`, ep.nodeName, m));
  }
  const topo = ep.deprecatedTopology ?? {};
  if (Object.keys(topo).length > MAX_TOPOLOGY_LABELS) errs.push(tooMany(`${path}.deprecatedTopology`, Object.keys(topo).length, MAX_TOPOLOGY_LABELS));
  errs.push(...labelErrors(`${path}.deprecatedTopology`, topo));
  if (ep.zone !== undefined && ep.zone !== null) errs.push(...dns1123LabelErrors(`${path}.zone`, ep.zone));
  if (ep.hostname !== undefined && ep.hostname !== null) errs.push(...dns1123LabelErrors(`${path}.hostname`, ep.hostname));
  const zones = ep.hints?.forZones;
  if (zones) {
    const zp = `${path}.hints.forZones`;
    if (zones.length > MAX_ZONE_HINTS) errs.push(tooMany(zp, zones.length, MAX_ZONE_HINTS));
    else {
      const seen = new Set<string>();
      zones.forEach((z, i) => {
        const p = `${zp}[${i}].name`;
        if (seen.has(z.name)) errs.push(duplicate(p, z.name));
        else seen.add(z.name);
        for (const m of isValidLabelValue(z.name)) errs.push(invalid(p, z.name, m));
      });
    }
  }
  return errs;
}

function validatePorts(ports: EndpointPort[]): FieldError[] {
  if (ports.length > MAX_PORTS) return [tooMany('ports', ports.length, MAX_PORTS)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const path = `ports[${i}]`;
    const name = p.name ?? '';
    if (name) errs.push(...dns1123LabelErrors(`${path}.name`, name));
    if (names.has(name)) errs.push(duplicate(`${path}.name`, name));
    else names.add(name);
    if (p.protocol === undefined || p.protocol === null) errs.push(required(`${path}.protocol`));
    else if (!SUPPORTED_PROTOCOLS.includes(p.protocol)) errs.push(notSupported(`${path}.protocol`, p.protocol, SUPPORTED_PROTOCOLS));
    if (p.appProtocol !== undefined && p.appProtocol !== null) errs.push(...qualifiedNameErrors(`${path}.appProtocol`, p.appProtocol));
  });
  return errs;
}

export function validateEndpointSlice(slice: EndpointSlice): FieldError[] {
  const errs: FieldError[] = [];
  const at = slice.addressType;
  if (!at) errs.push(required('addressType'));
  else if (!ADDRESS_TYPES.includes(at)) errs.push(notSupported('addressType', at, ADDRESS_TYPES));
  const eps = slice.endpoints ?? [];
  if (eps.length > MAX_ENDPOINTS) errs.push(tooMany('endpoints', eps.length, MAX_ENDPOINTS));
  else eps.forEach((ep, i) => errs.push(...validateEndpoint(ep, at ?? '', `endpoints[${i}]`)));
  errs.push(...validatePorts(slice.ports ?? []));
  return allowApiserverLoopback(slice.metadata, errs);
}

export function validateEndpointSliceUpdate(slice: EndpointSlice, old: EndpointSlice): FieldError[] {
  const errs = validateEndpointSlice(slice);
  if (slice.addressType !== old.addressType) errs.push(invalid('addressType', slice.addressType ?? '', 'field is immutable'));
  return errs;
}

/** SetDefaults_EndpointPort (discovery/v1): name "" and protocol TCP. */
export function setEndpointSliceDefaults(slice: EndpointSlice): void {
  for (const p of slice.ports ?? []) {
    if (p.name === undefined || p.name === null) p.name = '';
    if (p.protocol === undefined || p.protocol === null) p.protocol = 'TCP';
  }
}
