// Object shapes. The field-level types come from `kubernetes-types` (generated from
// Kubernetes' OpenAPI, times as RFC 3339 strings, exactly the JSON on the wire); this file
// re-exports the ones k8ts serves under short names and adds the generic shapes the
// registry and the client work with.
import type { ObjectMeta, ListMeta } from 'kubernetes-types/meta/v1';

export type {
  ObjectMeta,
  ListMeta,
  Status,
  StatusDetails,
  StatusCause,
  OwnerReference,
  LabelSelector,
  LabelSelectorRequirement,
  DeleteOptions,
  Condition,
  Time,
} from 'kubernetes-types/meta/v1';
export type {
  Namespace,
  Node,
  NodeSpec,
  NodeStatus,
  NodeCondition,
  Taint,
  Toleration,
  Pod,
  PodSpec,
  PodStatus,
  PodCondition,
  PodTemplateSpec,
  Container,
  ContainerPort,
  ContainerStatus,
  ContainerState,
  EnvVar,
  Volume,
  VolumeMount,
  Probe,
  ResourceRequirements,
  Affinity,
  NodeAffinity,
  PodAffinity,
  PodAntiAffinity,
  PodAffinityTerm,
  NodeSelectorTerm,
  NodeSelectorRequirement,
  TopologySpreadConstraint,
  Service,
  ServiceSpec,
  ServicePort,
  Endpoints,
  EndpointSubset,
  EndpointAddress,
  EndpointPort,
  ConfigMap,
  Secret,
  Event,
  ObjectReference,
  Binding,
  ServiceAccount,
} from 'kubernetes-types/core/v1';
export type { Lease, LeaseSpec } from 'kubernetes-types/coordination/v1';
export type { EndpointSlice } from 'kubernetes-types/discovery/v1';
export type { Deployment, DeploymentSpec, DeploymentStatus, ReplicaSet, ReplicaSetSpec, DaemonSet, ControllerRevision } from 'kubernetes-types/apps/v1';
export type { Job, JobSpec, CronJob } from 'kubernetes-types/batch/v1';
export type { Eviction } from 'kubernetes-types/policy/v1';
export type { Scale } from 'kubernetes-types/autoscaling/v1';

/** Any object the registry stores: typed metadata, the rest left open. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: any;
  status?: any;
  [field: string]: unknown;
}

export interface KubeList<T = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T = KubeObject> {
  type: WatchEventType;
  object: T; // metav1.Status for ERROR
}

