// networking.k8s.io/v1 defaults (pkg/apis/networking/v1/defaults.go). An Ingress path's
// pathType has no default in v1: it is required.

/** SetDefaults_IngressClass: a parameters reference without a scope is cluster-scoped. */
export function defaultIngressClass(o: any): void {
  const p = o.spec?.parameters;
  if (p && typeof p === 'object' && (p.scope === undefined || p.scope === null)) p.scope = 'Cluster';
}
