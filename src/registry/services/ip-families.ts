// initIPFamilyFields (pkg/registry/core/service/storage/alloc.go) for a single-stack cluster:
// settle ipFamilyPolicy and ipFamilies, and report requests this cluster cannot serve with
// Kubernetes' texts. Kubernetes does this before validation and returns only these errors when
// there are any; the strategy keeps that order.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../api/field-errors.js';
import { invalid } from '../../api/field-errors.js';
import { goStrings, isIPv6String } from '../../api/validation/service-net.js';
import { sameClusterIPs } from './prepare.js';

export type Family = 'IPv4' | 'IPv6';

const familyOf = (ip: string): Family => (isIPv6String(ip) ? 'IPv6' : 'IPv4');
const headlessSelectorless = (s: Service) => s.spec?.clusterIP === 'None' && Object.keys(s.spec?.selector ?? {}).length === 0;
const json = (v: unknown) => JSON.stringify(v ?? null);

/** Fills ipFamilyPolicy and ipFamilies where the answer is unambiguous. */
export function initIPFamilies(svc: Service, old: Service | undefined, family: Family): void {
  const spec = (svc.spec ??= {});
  if (spec.type === 'ExternalName') return;
  if (spec.ipFamilyPolicy === undefined || spec.ipFamilyPolicy === null) {
    if (old?.spec?.ipFamilyPolicy) spec.ipFamilyPolicy = old.spec.ipFamilyPolicy;
    else if (headlessSelectorless(svc)) spec.ipFamilyPolicy = 'RequireDualStack';
    else spec.ipFamilyPolicy = 'SingleStack';
  }
  if (old && spec.ipFamilyPolicy === 'SingleStack') {
    // Setting SingleStack while keeping the IPs is a clear request to drop the secondary.
    if (sameClusterIPs(old, svc) && (spec.clusterIPs?.length ?? 0) > 1) spec.clusterIPs = spec.clusterIPs!.slice(0, 1);
    if (json(old.spec?.ipFamilies) === json(spec.ipFamilies) && (spec.ipFamilies?.length ?? 0) > 1) spec.ipFamilies = spec.ipFamilies!.slice(0, 1);
  }
  const fams = [...(spec.ipFamilies ?? [])];
  const ips = spec.clusterIPs ?? [];
  for (let i = 0; i < ips.length && ips[i] !== 'None'; i++) {
    if (i < fams.length) continue;
    // An IP of a family this cluster lacks is reported by ipFamilyErrors; leave families alone.
    if (familyOf(ips[i]) !== family) return;
    fams.push(family);
  }
  if (headlessSelectorless(svc)) {
    if (fams.length === 0) fams.push(family);
    if (fams.length < 2 && spec.ipFamilyPolicy !== 'SingleStack') fams.push(fams[0] === 'IPv4' ? 'IPv6' : 'IPv4');
  } else if (fams.length === 0) {
    fams.push(family);
  }
  spec.ipFamilies = fams;
}

/** The errors initIPFamilyFields returns on a cluster that serves only `family`. */
export function ipFamilyErrors(svc: Service, family: Family): FieldError[] {
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const policy = spec.ipFamilyPolicy ?? 'SingleStack';
  if (policy === 'SingleStack') {
    if ((spec.clusterIPs?.length ?? 0) === 2) {
      errs.push(invalid('spec.ipFamilyPolicy', policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
    }
    if ((spec.ipFamilies?.length ?? 0) === 2) {
      errs.push(invalid('spec.ipFamilyPolicy', policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
    }
  }
  const ips = spec.clusterIPs ?? [];
  const fams = spec.ipFamilies ?? [];
  for (let i = 0; i < ips.length && ips[i] !== 'None'; i++) {
    if (i >= fams.length && familyOf(ips[i]) !== family) {
      errs.push(invalid(`spec.clusterIPs[${i}]`, goStrings(ips), `${familyOf(ips[i])} is not configured on this cluster`));
    }
  }
  if (errs.length || headlessSelectorless(svc)) return errs;
  if (policy === 'RequireDualStack') errs.push(invalid('spec.ipFamilyPolicy', policy, 'this cluster is not configured for dual-stack services'));
  fams.forEach((f, i) => {
    if (f !== family) errs.push(invalid(`spec.ipFamilies[${i}]`, f, 'not configured on this cluster'));
  });
  return errs;
}
