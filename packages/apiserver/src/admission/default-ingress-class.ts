// kube-apiserver's DefaultIngressClass admission plugin (on by default): a new Ingress that
// names no class, neither in spec.ingressClassName nor in the old kubernetes.io/ingress.class
// annotation, gets the IngressClass annotated ingressclass.kubernetes.io/is-default-class:
// "true"; when several are, the newest (then the first by name), as since Kubernetes 1.27.
import { INGRESS_CLASS_ANNOTATION, type KubeObject } from '@k8ts/api';
import type { AdmissionPlugin } from '../registry/admission.js';
import type { Registry } from '../registry/types.js';

export const DEFAULT_INGRESS_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

/** The default class among `classes`, or undefined when none is marked. */
export function pickDefaultIngressClass(classes: KubeObject[]): KubeObject | undefined {
  const marked = classes.filter((c) => c.metadata?.annotations?.[DEFAULT_INGRESS_CLASS_ANNOTATION] === 'true');
  const created = (c: KubeObject) => Date.parse(c.metadata?.creationTimestamp ?? '') || 0;
  marked.sort((a, b) => created(b) - created(a) || (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
  return marked[0];
}

export function defaultIngressClassAdmission(registry: Pick<Registry, 'list'>): AdmissionPlugin {
  return {
    name: 'DefaultIngressClass',
    async admit(req) {
      if (req.resource !== 'ingresses' || req.subresource !== '' || req.operation !== 'CREATE' || !req.object) return;
      const spec = ((req.object as any).spec ??= {});
      if (spec.ingressClassName !== undefined && spec.ingressClassName !== null) return;
      if (req.object.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION] !== undefined) return;
      const list = await registry.list('ingressclasses', {});
      const found = pickDefaultIngressClass(list.items);
      if (found) spec.ingressClassName = found.metadata.name;
    },
  };
}
