// IP and CIDR checks used by Service, Endpoints and EndpointSlice validation, with the texts of
// k8s.io/apimachinery/pkg/util/validation (IsValidIP, IsValidCIDR) and of Kubernetes'
// ValidateNonSpecialIP / ValidateEndpointIP. Kept separate so the allocators can share the parsing.
import { isIP, isIPv4, isIPv6 } from 'node:net';
import type { FieldError } from '../field-errors.js';
import { GoValue, invalid } from '../field-errors.js';

export const IP_MSG = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
export const IPV4_MSG = 'must be a valid IPv4 address';
export const IPV6_MSG = 'must be a valid IPv6 address';
export const CIDR_MSG = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

export function isValidIP(v: string): boolean {
  return isIP(v) !== 0;
}

export function isIPv6String(v: string): boolean {
  return isIPv6(v);
}

/** An IPv4 dotted quad as an unsigned 32-bit number, or null. */
export function ipv4ToNumber(v: string): number | null {
  if (!isIPv4(v)) return null;
  return v.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function numberToIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export interface ParsedCIDR {
  ip: string;
  prefix: number;
  family: 'IPv4' | 'IPv6';
}

export function parseCIDR(v: string): ParsedCIDR | null {
  const slash = v.indexOf('/');
  if (slash < 0) return null;
  const ip = v.slice(0, slash);
  const bits = v.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return null;
  const prefix = Number(bits);
  if (isIPv4(ip) && prefix <= 32) return { ip, prefix, family: 'IPv4' };
  if (isIPv6(ip) && prefix <= 128) return { ip, prefix, family: 'IPv6' };
  return null;
}

export function validateIP(field: string, v: string): FieldError[] {
  return isValidIP(v) ? [] : [invalid(field, v, IP_MSG)];
}

export function validateCIDR(field: string, v: string): FieldError[] {
  return parseCIDR(v) ? [] : [invalid(field, v, CIDR_MSG)];
}

function isLoopback(v: string): boolean {
  if (isIPv4(v)) return v.startsWith('127.');
  return expandV6(v) === '0000:0000:0000:0000:0000:0000:0000:0001' || /^::ffff:127\./i.test(v);
}

function isUnspecified(v: string): boolean {
  if (isIPv4(v)) return v === '0.0.0.0';
  return expandV6(v) === '0000:0000:0000:0000:0000:0000:0000:0000';
}

function isLinkLocalUnicast(v: string): boolean {
  if (isIPv4(v)) return v.startsWith('169.254.');
  return /^fe[89ab]/i.test(expandV6(v));
}

function isLinkLocalMulticast(v: string): boolean {
  if (isIPv4(v)) return v.startsWith('224.0.0.');
  return /^ff02/i.test(expandV6(v));
}

/** Full 8-group lower-case form of an IPv6 address (no embedded IPv4 support needed here). */
function expandV6(v: string): string {
  let s = v.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const n = ipv4ToNumber(v4[1]) ?? 0;
    s = s.slice(0, -v4[1].length) + `${Math.floor(n / 65536).toString(16)}:${(n % 65536).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => g.padStart(4, '0')).join(':');
}

/**
 * Addresses that make no sense as a Service external IP or an endpoint (ValidateNonSpecialIP and
 * ValidateEndpointIP share these texts). Call only with a syntactically valid IP.
 */
export function validateNonSpecialIP(field: string, v: string): FieldError[] {
  if (!isValidIP(v)) return [invalid(field, v, 'must be a valid IP address')];
  const errs: FieldError[] = [];
  if (isUnspecified(v)) errs.push(invalid(field, v, `may not be unspecified (${v})`));
  if (isLoopback(v)) errs.push(invalid(field, v, LOOPBACK_MSG));
  if (isLinkLocalUnicast(v)) errs.push(invalid(field, v, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if (isLinkLocalMulticast(v)) errs.push(invalid(field, v, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return errs;
}

/** A []string rendered as Go's %#v does (apimachinery prints slices that way in Invalid errors). */
export function goStrings(v: readonly string[] | undefined | null): GoValue {
  if (v === undefined || v === null) return new GoValue('[]string(nil)');
  return new GoValue(`[]string{${v.map((s) => JSON.stringify(s)).join(', ')}}`);
}

export const LOOPBACK_MSG = 'may not be in the loopback range (127.0.0.0/8, ::1/128)';

/**
 * kubesvc's API server may listen on loopback only, and then advertises a loopback address in the
 * `default/kubernetes` Endpoints and EndpointSlice it writes itself. Kubernetes would refuse that
 * address; for that one object (and only that rule) kubesvc accepts it.
 */
export function allowApiserverLoopback(meta: { namespace?: string; name?: string } | undefined, errs: FieldError[]): FieldError[] {
  if (meta?.namespace !== 'default' || meta.name !== 'kubernetes') return errs;
  return errs.filter((e) => e.detail !== LOOPBACK_MSG);
}
