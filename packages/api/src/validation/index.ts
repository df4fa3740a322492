// validate(resource, obj, old?): the field errors Kubernetes' registry strategies report on
// create (old absent) and update (old given), in Kubernetes' words and field paths.
import type { KubeObject } from '../types.js';
import { findResource } from '../resources.js';
import { validateValue } from '../apiextensions/validate-value.js';
import { validateCustomResourceDefinition, validateCustomResourceDefinitionUpdate } from '../apiextensions/validate-crd.js';
import { type FieldError, tooLong } from './field-error.js';
import { type NameValidator, nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { validatePod, validatePodUpdate } from './pod.js';
import { validatePodCreate, validatePodEphemeralContainersUpdate } from './ephemeral-containers.js';
import { validateService, validateServiceUpdate } from './service.js';
import { validateDaemonSet, validateDeployment, validateReplicaSet, validateSelectorImmutable } from './workloads.js';
import { validateStatefulSet, validateStatefulSetUpdate } from './statefulset.js';
import { validateCronJob, validateJob, validateJobUpdate } from './batch.js';
import { validateHorizontalPodAutoscaler, validateHorizontalPodAutoscalerStatus } from './autoscaling.js';
import {
  validateConfigMap,
  validateConfigMapUpdate,
  validateEndpointSlice,
  validateEndpoints,
  validateEvent,
  validateLease,
  validateNamespace,
  validateNode,
  validateNodeUpdate,
  validateSecret,
  validateSecretUpdate,
} from './other.js';
import { validateCertificateSigningRequest, validateCertificateSigningRequestStatusUpdate, validateCertificateSigningRequestUpdate } from './certificates.js';
import {
  validatePersistentVolume,
  validatePersistentVolumeClaim,
  validatePersistentVolumeClaimUpdate,
  validatePersistentVolumeUpdate,
  validateStorageClass,
  validateStorageClassUpdate,
} from './storage.js';
import { validateIngress, validateIngressClass, validateIngressClassUpdate, validateIngressStatusUpdate } from './networking.js';
import { validatePodDisruptionBudget, validatePodDisruptionBudgetStatus } from './policy.js';
import { validateLimitRange, validateResourceQuota } from './quota.js';
import { nameIsPathSegment, validateClusterRole, validateClusterRoleBinding, validateRole, validateRoleBinding, validateRoleRefImmutable } from './rbac.js';

/** etcd's default request limit: objects above it could not be stored anyway. */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;

const nameValidators: Record<string, NameValidator> = {
  namespaces: nameIsDNSLabel,
  // Service names become DNS labels and env var prefixes: RFC 1035 (must start with a letter).
  services: nameIsDNS1035Label,
  // A StatefulSet's name is its pods' hostname prefix (ValidateStatefulSetName).
  statefulsets: nameIsDNSLabel,
  roles: nameIsPathSegment,
  clusterroles: nameIsPathSegment,
  rolebindings: nameIsPathSegment,
  clusterrolebindings: nameIsPathSegment,
};

const specValidators: Record<string, (obj: any) => FieldError[]> = {
  pods: validatePod,
  services: validateService,
  deployments: validateDeployment,
  replicasets: validateReplicaSet,
  daemonsets: validateDaemonSet,
  statefulsets: validateStatefulSet,
  jobs: validateJob,
  cronjobs: validateCronJob,
  horizontalpodautoscalers: validateHorizontalPodAutoscaler,
  configmaps: validateConfigMap,
  secrets: validateSecret,
  namespaces: validateNamespace,
  nodes: validateNode,
  leases: validateLease,
  events: validateEvent,
  endpoints: validateEndpoints,
  endpointslices: validateEndpointSlice,
  ingresses: validateIngress,
  ingressclasses: validateIngressClass,
  certificatesigningrequests: validateCertificateSigningRequest,
  roles: validateRole,
  clusterroles: validateClusterRole,
  rolebindings: validateRoleBinding,
  clusterrolebindings: validateClusterRoleBinding,
  poddisruptionbudgets: validatePodDisruptionBudget,
  resourcequotas: validateResourceQuota,
  limitranges: validateLimitRange,
  persistentvolumeclaims: validatePersistentVolumeClaim,
  persistentvolumes: validatePersistentVolume,
  storageclasses: validateStorageClass,
  customresourcedefinitions: validateCustomResourceDefinition,
};

const updateValidators: Record<string, (obj: any, old: any) => FieldError[]> = {
  pods: validatePodUpdate,
  services: validateServiceUpdate,
  deployments: validateSelectorImmutable,
  replicasets: validateSelectorImmutable,
  daemonsets: validateSelectorImmutable,
  statefulsets: validateStatefulSetUpdate,
  jobs: validateJobUpdate,
  secrets: validateSecretUpdate,
  configmaps: validateConfigMapUpdate,
  nodes: validateNodeUpdate,
  rolebindings: validateRoleRefImmutable,
  clusterrolebindings: validateRoleRefImmutable,
  certificatesigningrequests: validateCertificateSigningRequestUpdate,
  persistentvolumeclaims: validatePersistentVolumeClaimUpdate,
  persistentvolumes: validatePersistentVolumeUpdate,
  storageclasses: validateStorageClassUpdate,
  ingressclasses: validateIngressClassUpdate,
  customresourcedefinitions: validateCustomResourceDefinitionUpdate,
};

/** Rules of a create only. */
const createValidators: Record<string, (obj: any) => FieldError[]> = {
  pods: validatePodCreate,
};

/** Checks of a write to a subresource (status, approval, ephemeralcontainers). */
const subresourceValidators: Record<string, (obj: any, old: any, subresource: string) => FieldError[]> = {
  pods: (obj, old, sub) => (sub === 'ephemeralcontainers' ? validatePodEphemeralContainersUpdate(obj, old) : []),
  certificatesigningrequests: validateCertificateSigningRequestStatusUpdate,
  ingresses: validateIngressStatusUpdate,
  poddisruptionbudgets: validatePodDisruptionBudgetStatus,
  resourcequotas: (obj: any) => validateResourceQuota(obj),
  horizontalpodautoscalers: (obj) => validateHorizontalPodAutoscalerStatus(obj),
};

export interface ValidateOptions {
  /**
   * The subresource written. 'status': Kubernetes keeps the old spec there, so only metadata
   * is checked. 'binding': the registry sets spec.nodeName itself, so the spec is validated
   * but not held to the pod update rules, nor is 'ephemeralcontainers' (its own rules: only
   * additions). Others ('scale', ...) are checked in full.
   */
  subresource?: string;
  /**
   * The caller checks the encoded object against MAX_OBJECT_BYTES itself, where it encodes
   * it anyway (the apiserver's store): spares a JSON.stringify of every object written.
   */
  skipObjectSize?: boolean;
}

/** The error of an object whose JSON is over MAX_OBJECT_BYTES. */
export function objectTooLarge(): FieldError {
  return tooLong('', MAX_OBJECT_BYTES);
}

/**
 * Validates an object (after applyDefaults) for `resource`. With `old`, also the update
 * rules: identity fields, immutable specs and selectors.
 */
export function validate(resource: string, obj: KubeObject, old?: KubeObject, opts: ValidateOptions = {}): FieldError[] {
  const info = findResource(resource);
  const r = info?.resource ?? resource;
  const errs: FieldError[] = [];
  if (obj === null || typeof obj !== 'object') return [{ field: '', type: 'FieldValueRequired', message: 'Required value' }];
  errs.push(
    ...validateObjectMeta(obj.metadata, {
      namespaced: info?.namespaced ?? true,
      nameValidator: nameValidators[r] ?? nameIsDNSSubdomain,
    }),
  );
  if (old) errs.push(...validateObjectMetaUpdate(obj.metadata, old.metadata));
  if (info?.custom) errs.push(...validateValue(info.custom.schema, obj, '', { root: true }));
  if (opts.subresource !== 'status') {
    errs.push(...(specValidators[r]?.(obj) ?? []));
    // binding sets spec.nodeName, ephemeralcontainers the ephemeral containers: neither is held to the plain update rules.
    if (old && opts.subresource !== 'binding' && opts.subresource !== 'ephemeralcontainers') errs.push(...(updateValidators[r]?.(obj, old) ?? []));
    if (!old) errs.push(...(createValidators[r]?.(obj) ?? []));
  }
  if (old && opts.subresource) errs.push(...(subresourceValidators[r]?.(obj, old, opts.subresource) ?? []));
  if (!opts.skipObjectSize && Buffer.byteLength(JSON.stringify(obj)) > MAX_OBJECT_BYTES) errs.push(objectTooLarge());
  return errs;
}

export type { FieldError, FieldErrorType } from './field-error.js';
export { fieldErrorString, goValue, GoLiteral } from './field-error.js';
// Constructors for FieldErrors in Kubernetes' words (fieldErrors.invalid(path, value, detail), ...).
export * as fieldErrors from './field-error.js';
export { statusForInvalid } from './status.js';
export { validatePodSpec, canonicalJson } from './pod.js';
export { validateLabelSelector, isValidPortName, isValidPortNum } from './common.js';
export { validateTolerations, validateTaints, validateAffinity } from './scheduling.js';
export { validateCronSchedule } from './batch.js';
export { KEY_USAGES, signerNameErrors } from './certificates.js';
export { needsNodePorts, specialIPv4 } from './service.js';
export { normalizeCronSchedule } from './cron.js';
export { validateObjectMeta, validateLabels, validateAnnotations, TOTAL_ANNOTATION_SIZE_LIMIT } from './meta.js';
export { defaultRbacSubjects } from './rbac.js';
export { ACCESS_MODES } from './storage.js';
export { INGRESS_CLASS_ANNOTATION, PATH_TYPES, isWildcardDNS1123Subdomain } from './networking.js';
