// applyDefaults: what Kubernetes' defaulting (and the few admission plugins every cluster
// runs) fills into an object before validation and storage.
import type { KubeObject } from './types.js';
import { apiVersionOf, findResource } from './resources.js';
import { applySchemaDefaults } from './apiextensions/defaulting.js';
import { defaultCustomResourceDefinition } from './apiextensions/validate-crd.js';
import { defaultPodSpec, podQOSClass } from './defaults/pod.js';
import { defaultStatefulSet } from './defaults/statefulset.js';
import { defaultCronJob, defaultDaemonSet, defaultDeployment, defaultJob, defaultReplicaSet } from './defaults/workloads.js';
import { defaultHorizontalPodAutoscaler } from './defaults/autoscaling.js';
import { defaultRbacSubjects } from './validation/rbac.js';
import { defaultPersistentVolume, defaultPersistentVolumeClaim, defaultStorageClass } from './defaults/storage.js';
import { defaultIngressClass } from './defaults/networking.js';
import { defaultLimitRange } from './validation/quota.js';
import { defaultEndpointSlice, defaultEndpoints, defaultNamespace, defaultNode, defaultSecret, defaultService } from './defaults/core.js';

export { defaultPodSpec, defaultPodTemplate, defaultPodTolerations, defaultPullPolicy, podQOSClass } from './defaults/pod.js';
export { generateJobSelector } from './defaults/workloads.js';
export { defaultScalingRules, DEFAULT_CPU_UTILIZATION } from './defaults/autoscaling.js';

/** Mutates `obj` with Kubernetes' defaults for `resource` (plural name, e.g. "pods"). */
export function applyDefaults(resource: string, obj: KubeObject): void {
  const info = findResource(resource);
  if (info) {
    obj.apiVersion ||= apiVersionOf(info);
    obj.kind ||= info.kind;
  }
  obj.metadata ??= {};
  const o = obj as Record<string, any>;
  if (info?.custom) return applySchemaDefaults(obj, info.custom.schema);
  switch (info?.resource ?? resource) {
    case 'customresourcedefinitions':
      defaultCustomResourceDefinition(o);
      break;
    case 'rolebindings':
    case 'clusterrolebindings':
      defaultRbacSubjects(o);
      break;
    case 'pods':
      defaultPodSpec((o.spec ??= {}));
      break;
    case 'services':
      defaultService(o);
      break;
    case 'deployments':
      defaultDeployment(o);
      break;
    case 'replicasets':
      defaultReplicaSet(o);
      break;
    case 'daemonsets':
      defaultDaemonSet(o);
      break;
    case 'statefulsets':
      defaultStatefulSet(o);
      break;
    case 'jobs':
      defaultJob(o);
      break;
    case 'cronjobs':
      defaultCronJob(o);
      break;
    case 'horizontalpodautoscalers':
      defaultHorizontalPodAutoscaler(o);
      break;
    case 'namespaces':
      defaultNamespace(o);
      break;
    case 'secrets':
      defaultSecret(o);
      break;
    case 'nodes':
      defaultNode(o);
      break;
    case 'endpoints':
      defaultEndpoints(o);
      break;
    case 'endpointslices':
      defaultEndpointSlice(o);
      break;
    case 'persistentvolumes':
      defaultPersistentVolume(o);
      break;
    case 'persistentvolumeclaims':
      defaultPersistentVolumeClaim(o);
      break;
    case 'storageclasses':
      defaultStorageClass(o);
      break;
    case 'ingressclasses':
      defaultIngressClass(o);
      break;
    case 'limitranges':
      defaultLimitRange(o);
      break;
  }
}

/**
 * What the registry strategies' PrepareForCreate set on a new object's status: pods start
 * Pending with their QoS class; namespaces Active. Status sent by the client is dropped for
 * resources with a status subresource (except nodes, whose agent posts it on create).
 */
export function prepareForCreate(resource: string, obj: KubeObject): void {
  const info = findResource(resource);
  const r = info?.resource ?? resource;
  if (info?.subresources.includes('status') && r !== 'nodes' && r !== 'namespaces') obj.status = {};
  if (r === 'pods') obj.status = { phase: 'Pending', qosClass: podQOSClass(obj) };
  if (r === 'namespaces') {
    obj.status = { phase: 'Active' };
  }
}
