// When does a scalar zero (0, "", false) read off the protobuf wire mean something? (Go facts
// the descriptors lack, kept with the schema: each FieldSchema carries its `keepZero`.)
//
// Upstream's generated marshalers write every non-pointer scalar field, set or not, and a
// pointer field only when it is set. So a decoded zero is kept exactly when Go's JSON
// encoding of that field would write it: the field is a pointer (`*int32`, `*bool`, …, set
// to zero on purpose: `runAsUser: 0`, `replicas: 0`, `automountServiceAccountToken: false`),
// or a value field whose json tag lacks `omitempty` (`exitCode: 0`, `ready: false`). Every
// other zero is Go's "unset" and is dropped. The descriptors do not say which Go fields are
// pointers, so this table does, once, for the types k8ts serves and the option types
// (k8s.io/api v1.33 types.go). Keys are proto messages without their `k8s.io.api.` /
// `k8s.io.apimachinery.pkg.apis.` prefix; schema.test.ts checks each names a scalar field.
// Messages (nested objects) need no entry: Go writes a message field when it is a value
// struct or a set pointer, and JSON writes both, so a message present on the wire is kept.

/** Pointer scalar fields: written by Go only when set, so any value read is meant. */
const POINTERS: Record<string, string[]> = {
  'core.v1.PodSpec': ['terminationGracePeriodSeconds', 'activeDeadlineSeconds', 'automountServiceAccountToken', 'shareProcessNamespace', 'priority', 'runtimeClassName', 'enableServiceLinks', 'preemptionPolicy', 'setHostnameAsFQDN', 'hostUsers'],
  'core.v1.PodSecurityContext': ['runAsUser', 'runAsGroup', 'runAsNonRoot', 'supplementalGroupsPolicy', 'fsGroup', 'fsGroupChangePolicy', 'seLinuxChangePolicy'],
  'core.v1.SecurityContext': ['privileged', 'runAsUser', 'runAsGroup', 'runAsNonRoot', 'readOnlyRootFilesystem', 'allowPrivilegeEscalation', 'procMount'],
  'core.v1.WindowsSecurityContextOptions': ['gmsaCredentialSpecName', 'gmsaCredentialSpec', 'runAsUserName', 'hostProcess'],
  'core.v1.SeccompProfile': ['localhostProfile'],
  'core.v1.AppArmorProfile': ['localhostProfile'],
  'core.v1.Container': ['restartPolicy'],
  'core.v1.EphemeralContainerCommon': ['restartPolicy'],
  'core.v1.Lifecycle': ['stopSignal'],
  'core.v1.VolumeMount': ['mountPropagation', 'recursiveReadOnly'],
  'core.v1.VolumeMountStatus': ['recursiveReadOnly'],
  'core.v1.Probe': ['terminationGracePeriodSeconds'],
  'core.v1.GRPCAction': ['service'],
  'core.v1.Toleration': ['tolerationSeconds'],
  'core.v1.TopologySpreadConstraint': ['minDomains', 'nodeAffinityPolicy', 'nodeTaintsPolicy'],
  'core.v1.PodDNSConfigOption': ['value'],
  'core.v1.PodResourceClaim': ['resourceClaimName', 'resourceClaimTemplateName'],
  'core.v1.PodResourceClaimStatus': ['resourceClaimName'],
  'core.v1.HostPathVolumeSource': ['type'],
  'core.v1.ConfigMapVolumeSource': ['defaultMode', 'optional'],
  'core.v1.SecretVolumeSource': ['defaultMode', 'optional'],
  'core.v1.ConfigMapProjection': ['optional'],
  'core.v1.SecretProjection': ['optional'],
  'core.v1.ConfigMapEnvSource': ['optional'],
  'core.v1.SecretEnvSource': ['optional'],
  'core.v1.ConfigMapKeySelector': ['optional'],
  'core.v1.SecretKeySelector': ['optional'],
  'core.v1.DownwardAPIVolumeSource': ['defaultMode'],
  'core.v1.DownwardAPIVolumeFile': ['mode'],
  'core.v1.KeyToPath': ['mode'],
  'core.v1.ProjectedVolumeSource': ['defaultMode'],
  'core.v1.ServiceAccountTokenProjection': ['expirationSeconds'],
  'core.v1.ClusterTrustBundleProjection': ['name', 'signerName', 'optional'],
  'core.v1.CSIVolumeSource': ['readOnly', 'fsType'],
  'core.v1.AzureDiskVolumeSource': ['cachingMode', 'fsType', 'readOnly', 'kind'],
  'core.v1.ISCSIVolumeSource': ['initiatorName'],
  'core.v1.FCVolumeSource': ['lun'],
  'core.v1.PersistentVolumeClaimSpec': ['storageClassName', 'volumeMode', 'volumeAttributesClassName'],
  'core.v1.TypedLocalObjectReference': ['apiGroup'],
  'core.v1.TypedObjectReference': ['apiGroup', 'namespace'],
  'core.v1.ContainerStatus': ['started', 'stopSignal'],
  'core.v1.ServiceSpec': ['ipFamilyPolicy', 'allocateLoadBalancerNodePorts', 'loadBalancerClass', 'internalTrafficPolicy', 'trafficDistribution'],
  'core.v1.ServicePort': ['appProtocol'],
  'core.v1.ClientIPConfig': ['timeoutSeconds'],
  'core.v1.LoadBalancerIngress': ['ipMode'],
  'core.v1.PortStatus': ['error'],
  'core.v1.EndpointAddress': ['nodeName'],
  'core.v1.EndpointPort': ['appProtocol'],
  'core.v1.ConfigMap': ['immutable'],
  'core.v1.Secret': ['immutable'],
  'core.v1.ServiceAccount': ['automountServiceAccountToken'],
  'core.v1.NodeSwapStatus': ['capacity'],
  'core.v1.NodeFeatures': ['supplementalGroupsPolicy'],
  'core.v1.NodeRuntimeHandlerFeatures': ['recursiveReadOnlyMounts', 'userNamespaces'],
  'apps.v1.DeploymentSpec': ['replicas', 'revisionHistoryLimit', 'progressDeadlineSeconds'],
  'apps.v1.DeploymentStatus': ['terminatingReplicas', 'collisionCount'],
  'apps.v1.ReplicaSetSpec': ['replicas'],
  'apps.v1.ReplicaSetStatus': ['terminatingReplicas'],
  'apps.v1.DaemonSetSpec': ['revisionHistoryLimit'],
  'apps.v1.DaemonSetStatus': ['collisionCount'],
  'batch.v1.JobSpec': ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'backoffLimitPerIndex', 'maxFailedIndexes', 'manualSelector', 'ttlSecondsAfterFinished', 'completionMode', 'suspend', 'podReplacementPolicy', 'managedBy'],
  'batch.v1.JobStatus': ['terminating', 'failedIndexes', 'ready'],
  'batch.v1.PodFailurePolicyOnExitCodesRequirement': ['containerName'],
  'batch.v1.SuccessPolicyRule': ['succeededIndexes', 'succeededCount'],
  'batch.v1.CronJobSpec': ['timeZone', 'startingDeadlineSeconds', 'suspend', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'],
  'coordination.v1.LeaseSpec': ['holderIdentity', 'leaseDurationSeconds', 'leaseTransitions', 'strategy', 'preferredHolder'],
  'discovery.v1.Endpoint': ['hostname', 'nodeName', 'zone'],
  'discovery.v1.EndpointConditions': ['ready', 'serving', 'terminating'],
  'discovery.v1.EndpointPort': ['name', 'protocol', 'port', 'appProtocol'],
  'meta.v1.ObjectMeta': ['deletionGracePeriodSeconds'],
  'meta.v1.OwnerReference': ['controller', 'blockOwnerDeletion'],
  'meta.v1.ListMeta': ['remainingItemCount'],
  'meta.v1.DeleteOptions': ['gracePeriodSeconds', 'orphanDependents', 'propagationPolicy', 'ignoreStoreReadErrorWithClusterBreakingPotential'],
  'meta.v1.Preconditions': ['uid', 'resourceVersion'],
  'meta.v1.ListOptions': ['timeoutSeconds', 'sendInitialEvents'],
  'meta.v1.PatchOptions': ['force'],
};

/** Value fields without `omitempty` whose zero is meaningful (numbers and booleans; a
 * missing string and an empty one mean the same to every reader here). */
const NOT_OMITEMPTY: Record<string, string[]> = {
  'core.v1.ContainerStatus': ['ready', 'restartCount'],
  'core.v1.ContainerStateTerminated': ['exitCode'],
  'core.v1.LinuxContainerUser': ['uid', 'gid'],
  'core.v1.ContainerPort': ['containerPort'],
  'core.v1.ServicePort': ['port'],
  'core.v1.EndpointPort': ['port'],
  'core.v1.PortStatus': ['port'],
  'core.v1.GRPCAction': ['port'],
  'core.v1.SleepAction': ['seconds'],
  'core.v1.ISCSIVolumeSource': ['lun'],
  'core.v1.TopologySpreadConstraint': ['maxSkew'],
  'core.v1.WeightedPodAffinityTerm': ['weight'],
  'core.v1.PreferredSchedulingTerm': ['weight'],
  'core.v1.DaemonEndpoint': ['Port'],
  'apps.v1.DaemonSetStatus': ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'],
  'apps.v1.ReplicaSetStatus': ['replicas'],
  'apps.v1.ControllerRevision': ['revision'],
  'autoscaling.v1.ScaleStatus': ['replicas'],
};

function toSet(table: Record<string, string[]>): Set<string> {
  const s = new Set<string>();
  for (const [m, fields] of Object.entries(table)) for (const f of fields) s.add(`${m}.${f}`);
  return s;
}

const fullName = (m: string) => (m.startsWith('meta.') ? `k8s.io.apimachinery.pkg.apis.${m}` : `k8s.io.api.${m}`);
const KEEP = new Set([...toSet(POINTERS), ...toSet(NOT_OMITEMPTY)].map(fullName));

/** Whether a zero read for `field` of `message` (fully qualified) is kept in the JSON. */
export function keepsZero(message: string, field: string): boolean {
  return KEEP.has(`${message}.${field}`);
}

/** Every entry, fully qualified, for the test that checks them against the descriptors. */
export function zeroValueEntries(): { message: string; field: string; pointer: boolean }[] {
  const out: { message: string; field: string; pointer: boolean }[] = [];
  for (const [m, fs] of Object.entries(POINTERS)) for (const f of fs) out.push({ message: fullName(m), field: f, pointer: true });
  for (const [m, fs] of Object.entries(NOT_OMITEMPTY)) for (const f of fs) out.push({ message: fullName(m), field: f, pointer: false });
  return out;
}
