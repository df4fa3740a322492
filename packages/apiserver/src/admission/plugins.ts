// --enable-admission-plugins: the optional plugins by their kube-apiserver names. The plugins
// k8ts always runs (defaults, namespace lifecycle, the Service allocators) are not listed.
import type { AdmissionPlugin } from '../registry/admission.js';
import { denyServiceExternalIPs } from './deny-service-external-ips.js';

const OPTIONAL: Record<string, () => AdmissionPlugin> = {
  DenyServiceExternalIPs: denyServiceExternalIPs,
};

/** The plugins named in the flag's comma list; an unknown name fails the start, as upstream. */
export function optionalAdmissionPlugins(list: string | undefined): AdmissionPlugin[] {
  const names = (list ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return names.map((n) => {
    const make = OPTIONAL[n];
    if (!make) throw new Error(`--enable-admission-plugins: unknown plugin ${JSON.stringify(n)} (optional plugins: ${Object.keys(OPTIONAL).join(', ')})`);
    return make();
  });
}
