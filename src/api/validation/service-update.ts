// ValidateServiceUpdate (pkg/apis/core/validation): the primary clusterIP and IP family cannot
// change once set, except when the Service moves to or from ExternalName. Runs after the registry
// carried unset allocated values over from the stored object, so re-applying a manifest without
// clusterIP passes.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../field-errors.js';
import { GoValue, invalid } from '../field-errors.js';
import { isHeadless, validateLoadBalancerClass, validateService } from './service.js';
import { goStrings } from './service-net.js';

function goFamilies(v: readonly string[] | undefined): GoValue {
  if (!v) return new GoValue('[]core.IPFamily(nil)');
  return new GoValue(`[]core.IPFamily{${v.map((s) => JSON.stringify(s)).join(', ')}}`);
}

function clusterIPChanges(svc: Service, old: Service): FieldError[] {
  if (svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName') return [];
  if (isHeadless(svc) && isHeadless(old)) return [];
  const now = svc.spec?.clusterIPs ?? [];
  const was = old.spec?.clusterIPs ?? [];
  const errs: FieldError[] = [];
  const changed = () => invalid('spec.clusterIPs[0]', goStrings(svc.spec?.clusterIPs), 'may not change once set');
  if (was.length === now.length) {
    was.forEach((ip, i) => {
      if (ip !== now[i]) errs.push(invalid(`spec.clusterIPs[${i}]`, goStrings(svc.spec?.clusterIPs), 'may not change once set'));
    });
  } else if (was.length > now.length) {
    if (now.length === 0) errs.push(invalid('spec.clusterIPs[0]', goStrings(svc.spec?.clusterIPs), 'primary clusterIP can not be unset'));
    if (was.length > 0 && now.length > 0 && now[0] !== was[0]) errs.push(changed());
    if (now.length === 1 && svc.spec?.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalid('spec.ipFamilyPolicy', svc.spec?.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
  } else if (was.length > 0 && now[0] !== was[0]) {
    errs.push(changed());
  }
  return errs;
}

function ipFamilyChanges(svc: Service, old: Service): FieldError[] {
  if (svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName') return [];
  if (isHeadless(svc) !== isHeadless(old) || isHeadless(svc)) return [];
  const now = svc.spec?.ipFamilies ?? [];
  const was = old.spec?.ipFamilies ?? [];
  const errs: FieldError[] = [];
  const path = 'spec.ipFamilies[0]';
  if (was.length === now.length) {
    was.forEach((f, i) => {
      if (f !== now[i]) errs.push(invalid(path, goFamilies(svc.spec?.ipFamilies), 'may not change once set'));
    });
  } else if (was.length > now.length) {
    if ((svc.spec?.clusterIPs?.length ?? 0) === 0) errs.push(invalid(path, goFamilies(svc.spec?.ipFamilies), 'primary ipFamily can not be unset'));
    if (now.length > 0 && now[0] !== was[0]) errs.push(invalid(path, goStrings(svc.spec?.clusterIPs), 'may not change once set'));
    if (now.length === 1 && svc.spec?.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalid('spec.ipFamilyPolicy', svc.spec?.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
    }
  } else if (was.length > 0 && now.length > 0 && now[0] !== was[0]) {
    errs.push(invalid(path, goStrings(svc.spec?.clusterIPs), 'may not change once set'));
  }
  return errs;
}

export function validateServiceUpdate(svc: Service, old: Service): FieldError[] {
  return [...clusterIPChanges(svc, old), ...ipFamilyChanges(svc, old), ...validateLoadBalancerClass(svc, old), ...validateService(svc)];
}
