// Object shapes. The field-level types come from `kubernetes-types` (generated from
// Kubernetes' OpenAPI, times as RFC 3339 strings, exactly the JSON on the wire). That package
// marks server-set fields (resourceVersion, uid, creationTimestamp, …) readonly; the
// apiserver and the agents are the server, so k8ts re-exports every type made mutable.

import type { ObjectMeta as KObjectMeta, ListMeta as KListMeta, Status as KStatus, StatusDetails as KStatusDetails, StatusCause as KStatusCause, OwnerReference as KOwnerReference, LabelSelector as KLabelSelector, LabelSelectorRequirement as KLabelSelectorRequirement, DeleteOptions as KDeleteOptions, Condition as KCondition, Time as KTime } from 'kubernetes-types/meta/v1';
import type { Namespace as KNamespace, Node as KNode, NodeSpec as KNodeSpec, NodeStatus as KNodeStatus, NodeCondition as KNodeCondition, Taint as KTaint, Toleration as KToleration, Pod as KPod, PodSpec as KPodSpec, PodStatus as KPodStatus, PodCondition as KPodCondition, PodTemplateSpec as KPodTemplateSpec, Container as KContainer, ContainerPort as KContainerPort, ContainerStatus as KContainerStatus, ContainerState as KContainerState, EnvVar as KEnvVar, Volume as KVolume, VolumeMount as KVolumeMount, Probe as KProbe, ResourceRequirements as KResourceRequirements, Affinity as KAffinity, NodeAffinity as KNodeAffinity, PodAffinity as KPodAffinity, PodAntiAffinity as KPodAntiAffinity, PodAffinityTerm as KPodAffinityTerm, NodeSelectorTerm as KNodeSelectorTerm, NodeSelectorRequirement as KNodeSelectorRequirement, TopologySpreadConstraint as KTopologySpreadConstraint, Service as KService, ServiceSpec as KServiceSpec, ServicePort as KServicePort, Endpoints as KEndpoints, EndpointSubset as KEndpointSubset, EndpointAddress as KEndpointAddress, EndpointPort as KEndpointPort, ConfigMap as KConfigMap, Secret as KSecret, Event as KEvent, ObjectReference as KObjectReference, Binding as KBinding, ServiceAccount as KServiceAccount } from 'kubernetes-types/core/v1';
import type { Lease as KLease, LeaseSpec as KLeaseSpec } from 'kubernetes-types/coordination/v1';
import type { EndpointSlice as KEndpointSlice } from 'kubernetes-types/discovery/v1';
import type { Deployment as KDeployment, DeploymentSpec as KDeploymentSpec, DeploymentStatus as KDeploymentStatus, ReplicaSet as KReplicaSet, ReplicaSetSpec as KReplicaSetSpec, DaemonSet as KDaemonSet, ControllerRevision as KControllerRevision } from 'kubernetes-types/apps/v1';
import type { Job as KJob, JobSpec as KJobSpec, CronJob as KCronJob } from 'kubernetes-types/batch/v1';
import type { Eviction as KEviction, PodDisruptionBudget as KPodDisruptionBudget } from 'kubernetes-types/policy/v1';
import type { ResourceQuota as KResourceQuota, LimitRange as KLimitRange } from 'kubernetes-types/core/v1';
import type { Scale as KScale } from 'kubernetes-types/autoscaling/v1';

/** A top-level kind: mutable, and with metadata always present (the registry guarantees it). */
export type Stored<T> = Mutable<T> & { metadata: ObjectMeta };

/** Removes `readonly` at every depth. */
export type Mutable<T> = T extends (infer U)[]
  ? Mutable<U>[]
  : T extends ReadonlyArray<infer U>
    ? Mutable<U>[]
    : T extends object
      ? { -readonly [K in keyof T]: Mutable<T[K]> }
      : T;

export type ObjectMeta = Mutable<KObjectMeta>;
export type ListMeta = Mutable<KListMeta>;
export type Status = Mutable<KStatus>;
export type StatusDetails = Mutable<KStatusDetails>;
export type StatusCause = Mutable<KStatusCause>;
export type OwnerReference = Mutable<KOwnerReference>;
export type LabelSelector = Mutable<KLabelSelector>;
export type LabelSelectorRequirement = Mutable<KLabelSelectorRequirement>;
export type DeleteOptions = Mutable<KDeleteOptions>;
export type Condition = Mutable<KCondition>;
export type Time = Mutable<KTime>;
export type Namespace = Stored<KNamespace>;
export type Node = Stored<KNode>;
export type NodeSpec = Mutable<KNodeSpec>;
export type NodeStatus = Mutable<KNodeStatus>;
export type NodeCondition = Mutable<KNodeCondition>;
export type Taint = Mutable<KTaint>;
export type Toleration = Mutable<KToleration>;
export type Pod = Stored<KPod>;
export type PodSpec = Mutable<KPodSpec>;
export type PodStatus = Mutable<KPodStatus>;
export type PodCondition = Mutable<KPodCondition>;
export type PodTemplateSpec = Mutable<KPodTemplateSpec>;
export type Container = Mutable<KContainer>;
export type ContainerPort = Mutable<KContainerPort>;
export type ContainerStatus = Mutable<KContainerStatus>;
export type ContainerState = Mutable<KContainerState>;
export type EnvVar = Mutable<KEnvVar>;
export type Volume = Mutable<KVolume>;
export type VolumeMount = Mutable<KVolumeMount>;
export type Probe = Mutable<KProbe>;
export type ResourceRequirements = Mutable<KResourceRequirements>;
export type Affinity = Mutable<KAffinity>;
export type NodeAffinity = Mutable<KNodeAffinity>;
export type PodAffinity = Mutable<KPodAffinity>;
export type PodAntiAffinity = Mutable<KPodAntiAffinity>;
export type PodAffinityTerm = Mutable<KPodAffinityTerm>;
export type NodeSelectorTerm = Mutable<KNodeSelectorTerm>;
export type NodeSelectorRequirement = Mutable<KNodeSelectorRequirement>;
export type TopologySpreadConstraint = Mutable<KTopologySpreadConstraint>;
export type Service = Stored<KService>;
export type ServiceSpec = Mutable<KServiceSpec>;
export type ServicePort = Mutable<KServicePort>;
export type Endpoints = Stored<KEndpoints>;
export type EndpointSubset = Mutable<KEndpointSubset>;
export type EndpointAddress = Mutable<KEndpointAddress>;
export type EndpointPort = Mutable<KEndpointPort>;
export type ConfigMap = Stored<KConfigMap>;
export type Secret = Stored<KSecret>;
export type Event = Stored<KEvent>;
export type ObjectReference = Mutable<KObjectReference>;
export type Binding = Stored<KBinding>;
export type ServiceAccount = Stored<KServiceAccount>;
export type Lease = Stored<KLease>;
export type LeaseSpec = Mutable<KLeaseSpec>;
export type EndpointSlice = Stored<KEndpointSlice>;
export type Deployment = Stored<KDeployment>;
export type DeploymentSpec = Mutable<KDeploymentSpec>;
export type DeploymentStatus = Mutable<KDeploymentStatus>;
export type ReplicaSet = Stored<KReplicaSet>;
export type ReplicaSetSpec = Mutable<KReplicaSetSpec>;
export type DaemonSet = Stored<KDaemonSet>;
export type ControllerRevision = Stored<KControllerRevision>;
export type StatefulSet = Stored<import('kubernetes-types/apps/v1').StatefulSet>;
export type StatefulSetStatus = Mutable<import('kubernetes-types/apps/v1').StatefulSetStatus>;
export type Job = Stored<KJob>;
export type JobSpec = Mutable<KJobSpec>;
export type CronJob = Stored<KCronJob>;
export type Eviction = Stored<KEviction>;
export type PodDisruptionBudget = Stored<KPodDisruptionBudget>;
export type ResourceQuota = Stored<KResourceQuota>;
export type LimitRange = Stored<KLimitRange>;
export type Scale = Stored<KScale>;

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

