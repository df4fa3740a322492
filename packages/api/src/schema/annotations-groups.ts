// Markers of meta/v1 (apimachinery) and of the apps, batch, discovery, networking and
// admissionregistration groups (Kubernetes 1.33), keyed by fully qualified `message.field`.
import { type Annotation, atomic, inline, mergeAtomic, mergeBy, mergeSet, set } from './markers.js';

function group(pkg: string, table: Record<string, Record<string, Annotation>>): [string, Annotation][] {
  return Object.entries(table).flatMap(([message, fields]) =>
    Object.entries(fields).map(([f, a]) => [`${pkg}.${message}.${f}`, a] as [string, Annotation]),
  );
}

const dryRun = { dryRun: atomic };

export const GROUP_ANNOTATIONS: Record<string, Annotation> = Object.fromEntries([
  ...group('k8s.io.apimachinery.pkg.apis.meta.v1', {
    ObjectMeta: { finalizers: mergeSet, ownerReferences: mergeBy('uid'), managedFields: atomic },
    LabelSelector: { matchExpressions: atomic },
    LabelSelectorRequirement: { values: atomic },
    StatusDetails: { causes: atomic },
    DeleteOptions: dryRun,
    CreateOptions: dryRun,
    UpdateOptions: dryRun,
    PatchOptions: dryRun,
  }),
  ...group('k8s.io.api.apps.v1', {
    DeploymentStatus: { conditions: mergeBy('type') },
    ReplicaSetStatus: { conditions: mergeBy('type') },
    DaemonSetStatus: { conditions: mergeBy('type') },
    StatefulSetStatus: { conditions: mergeBy('type') },
    StatefulSetSpec: { volumeClaimTemplates: atomic },
  }),
  ...group('k8s.io.api.batch.v1', {
    JobStatus: { conditions: mergeAtomic('type') },
    PodFailurePolicy: { rules: atomic },
    PodFailurePolicyRule: { onPodConditions: atomic },
    PodFailurePolicyOnExitCodesRequirement: { values: set },
    SuccessPolicy: { rules: atomic },
    UncountedTerminatedPods: { succeeded: set, failed: set },
    CronJobStatus: { active: atomic },
  }),
  ...group('k8s.io.api.discovery.v1', {
    EndpointSlice: { endpoints: atomic, ports: atomic },
    Endpoint: { addresses: set },
    EndpointHints: { forZones: atomic, forNodes: atomic },
  }),
  ...group('k8s.io.api.networking.v1', {
    IngressRule: { ingressRuleValue: inline },
  }),
  ...group('k8s.io.api.admissionregistration.v1', {
    RuleWithOperations: { rule: inline },
    NamedRuleWithOperations: { ruleWithOperations: inline },
  }),
]);
