// Which nodes a DaemonSet runs on: nodeSelector, required node affinity and taints its
// pods do not tolerate (daemon pods get Kubernetes' extra tolerations first).
import { findUntoleratedTaint, nodeFitsRequired, nodeLabelsOf, TaintNodeNotReady, TaintNodeUnreachable, TaintNodeUnschedulable, type Node, type PodSpec, type Toleration } from '@k8ts/api';

/** util.AddOrUpdateDaemonPodTolerations. */
export function daemonTolerations(spec: PodSpec): Toleration[] {
  const out = [...(spec.tolerations ?? [])];
  const add = (key: string, effect: string) => {
    if (!out.some((t) => t.key === key && t.effect === effect && (t.operator ?? 'Equal') === 'Exists')) out.push({ key, operator: 'Exists', effect });
  };
  add(TaintNodeNotReady, 'NoExecute');
  add(TaintNodeUnreachable, 'NoExecute');
  add('node.kubernetes.io/disk-pressure', 'NoSchedule');
  add('node.kubernetes.io/memory-pressure', 'NoSchedule');
  add('node.kubernetes.io/pid-pressure', 'NoSchedule');
  add(TaintNodeUnschedulable, 'NoSchedule');
  if (spec.hostNetwork) add('node.kubernetes.io/network-unavailable', 'NoSchedule');
  return out;
}

export function nodeMatchesAffinity(node: Node, spec: PodSpec): boolean {
  return nodeFitsRequired(spec, nodeLabelsOf(node));
}

/** nodeShouldRunDaemonPod: affinity fits and every NoSchedule/NoExecute taint is tolerated. */
export function shouldRunOn(node: Node, spec: PodSpec): boolean {
  if (!nodeMatchesAffinity(node, spec)) return false;
  return !findUntoleratedTaint(node.spec?.taints, daemonTolerations(spec));
}

/** The node a daemon pod is pinned to: spec.nodeName, or its metadata.name affinity. */
export function targetNode(spec: PodSpec | undefined): string | undefined {
  if (spec?.nodeName) return spec.nodeName;
  for (const t of spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [])
    for (const f of t.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  return undefined;
}

/** util.ReplaceDaemonSetPodNodeNameNodeAffinity: pin the pod to one node by name. */
export function pinToNode(spec: PodSpec, nodeName: string): PodSpec {
  const next: PodSpec = { ...spec, tolerations: daemonTolerations(spec) };
  const pin = { key: 'metadata.name', operator: 'In', values: [nodeName] };
  const na = spec.affinity?.nodeAffinity;
  const terms = na?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const newTerms = terms.length
    ? terms.map((t) => ({ ...t, matchFields: [...(t.matchFields ?? []).filter((f) => f.key !== 'metadata.name'), pin] }))
    : [{ matchFields: [pin] }];
  next.affinity = { ...(spec.affinity ?? {}), nodeAffinity: { ...(na ?? {}), requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: newTerms } } };
  return next;
}
