// Where a pod spec lives in each resource Pod Security looks at (DefaultPodSpecExtractor
// upstream): the pod itself, or the pod template of a workload.
import type { KubeObject, ObjectMeta, PodSpec } from '@k8ts/api';

export interface PodLike {
  meta: ObjectMeta;
  spec: PodSpec;
  /** Path of the pod spec in the object, for field errors: "spec", "spec.template.spec". */
  specPath: string;
  /** Path of the pod metadata, for annotation errors. */
  metaPath: string;
}

/** Resources whose objects carry a pod template (their pods are checked on create instead). */
export const TEMPLATE_RESOURCES = new Set(['replicationcontrollers', 'podtemplates', 'replicasets', 'deployments', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs']);

function isObject(v: unknown): v is Record<string, any> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function fromTemplate(template: unknown, path: string): PodLike | undefined {
  if (!isObject(template)) return undefined;
  return { meta: (isObject(template.metadata) ? template.metadata : {}) as ObjectMeta, spec: (isObject(template.spec) ? template.spec : {}) as PodSpec, specPath: `${path}.spec`, metaPath: `${path}.metadata` };
}

/** The pod (or template) of an object of `resource`, undefined when it has none. */
export function extractPodSpec(resource: string, obj: KubeObject | undefined): PodLike | undefined {
  if (!obj) return undefined;
  const o = obj as Record<string, any>;
  switch (resource) {
    case 'pods':
      return { meta: (o.metadata ?? {}) as ObjectMeta, spec: (isObject(o.spec) ? o.spec : {}) as PodSpec, specPath: 'spec', metaPath: 'metadata' };
    case 'podtemplates':
      return fromTemplate(o.template, 'template');
    case 'cronjobs':
      return fromTemplate(o.spec?.jobTemplate?.spec?.template, 'spec.jobTemplate.spec.template');
    default:
      return TEMPLATE_RESOURCES.has(resource) ? fromTemplate(o.spec?.template, 'spec.template') : undefined;
  }
}
