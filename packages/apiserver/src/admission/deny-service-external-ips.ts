// kube-apiserver's DenyServiceExternalIPs admission plugin (off unless enabled): no new
// Service may use spec.externalIPs, since whoever can write a Service could otherwise take
// traffic for any address; an update may keep or drop addresses it already had.
import { fieldErrors, invalid } from '@k8ts/api';
import type { AdmissionPlugin } from '../registry/admission.js';

export function denyServiceExternalIPs(): AdmissionPlugin {
  return {
    name: 'DenyServiceExternalIPs',
    validate(req) {
      if (req.resource !== 'services' || req.subresource !== '' || !req.object) return;
      const now: unknown[] = Array.isArray(req.object.spec?.externalIPs) ? req.object.spec.externalIPs : [];
      const had = new Set<unknown>(Array.isArray(req.oldObject?.spec?.externalIPs) ? req.oldObject!.spec.externalIPs : []);
      if (now.every((ip) => had.has(ip))) return;
      throw invalid('Service', req.name, [fieldErrors.forbidden('spec.externalIPs', 'use of external IPs is denied by admission control')]);
    },
  };
}
