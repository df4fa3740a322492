// The IngressClass every k8ts cluster starts with: `k8ts`, handled by k8ts's ingress
// controller (packages/ingress) and marked default, so an Ingress without a class is served
// (as k3s ships traefik's). Created when absent and never rewritten: a user may drop its
// default mark or delete it (it comes back at the apiserver's next start).
import { isAlreadyExists, type KubeObject } from '@k8ts/api';
import type { Logger } from 'pino';
import type { Registry } from '../registry/types.js';
import { DEFAULT_INGRESS_CLASS_ANNOTATION } from '../admission/default-ingress-class.js';

export const K8TS_INGRESS_CLASS = 'k8ts';
export const K8TS_INGRESS_CONTROLLER = 'k8ts.io/ingress-controller';

export async function ensureIngressClass(registry: Pick<Registry, 'get' | 'create'>, logger?: Logger): Promise<void> {
  const ic = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: K8TS_INGRESS_CLASS, annotations: { [DEFAULT_INGRESS_CLASS_ANNOTATION]: 'true' }, labels: { 'app.kubernetes.io/managed-by': 'k8ts' } },
    spec: { controller: K8TS_INGRESS_CONTROLLER },
  };
  try {
    await registry.create('ingressclasses', '', ic as unknown as KubeObject);
    logger?.info({ object: `ingressclasses/${K8TS_INGRESS_CLASS}`, reason: 'Created' }, 'default IngressClass created');
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
}
