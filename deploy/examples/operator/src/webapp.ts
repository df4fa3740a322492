// The WebApp kind (crd.yaml) and the Deployment it should become: a pure function, so the
// reconciler only compares and writes.
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';

export const GROUP = 'examples.k8ts.io';
export const VERSION = 'v1';
export const PLURAL = 'webapps';
export const MANAGED_BY = 'webapp-operator';

export interface WebApp extends KubernetesObject {
  spec: { image: string; replicas?: number; port?: number };
  status?: { readyReplicas?: number; deployment?: string; observedGeneration?: number };
}

export function deploymentName(app: WebApp): string {
  return `webapp-${app.metadata!.name}`;
}

/** The Deployment a WebApp asks for, owned by it (the garbage collector removes it with the WebApp). */
export function desiredDeployment(app: WebApp): V1Deployment {
  const name = app.metadata!.name!;
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/managed-by': MANAGED_BY };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: deploymentName(app),
      namespace: app.metadata!.namespace,
      labels,
      ownerReferences: [{ apiVersion: `${GROUP}/${VERSION}`, kind: 'WebApp', name, uid: app.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      replicas: app.spec.replicas ?? 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'web', image: app.spec.image, ports: [{ containerPort: app.spec.port ?? 8080 }] }] },
      },
    },
  };
}

/** Whether the live Deployment already runs what `want` describes (the fields the operator owns). */
export function upToDate(live: V1Deployment, want: V1Deployment): boolean {
  const c = live.spec?.template?.spec?.containers?.[0];
  const w = want.spec!.template.spec!.containers[0]!;
  return live.spec?.replicas === want.spec!.replicas && c?.image === w.image && c?.ports?.[0]?.containerPort === w.ports?.[0]?.containerPort;
}
