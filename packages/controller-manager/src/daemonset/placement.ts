// Which nodes a DaemonSet runs on: nodeSelector, required node affinity and taints its
// pods do not tolerate (daemon pods get Kubernetes' extra tolerations first).
import type { Node, NodeSelectorRequirement, PodSpec, Toleration } from '@k8ts/api';
import { tolerates } from '../nodelifecycle/taints.js';

/** util.AddOrUpdateDaemonPodTolerations. */
export function daemonTolerations(spec: PodSpec): Toleration[] {
  const out = [...(spec.tolerations ?? [])];
  const add = (key: string, effect: string) => {
    if (!out.some((t) => t.key === key && t.effect === effect && (t.operator ?? 'Equal') === 'Exists')) out.push({ key, operator: 'Exists', effect });
  };
  add('node.kubernetes.io/not-ready', 'NoExecute');
  add('node.kubernetes.io/unreachable', 'NoExecute');
  add('node.kubernetes.io/disk-pressure', 'NoSchedule');
  add('node.kubernetes.io/memory-pressure', 'NoSchedule');
  add('node.kubernetes.io/pid-pressure', 'NoSchedule');
  add('node.kubernetes.io/unschedulable', 'NoSchedule');
  if (spec.hostNetwork) add('node.kubernetes.io/network-unavailable', 'NoSchedule');
  return out;
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined, has: boolean): boolean {
  const vals = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return has && vals.includes(value!);
    case 'NotIn':
      return !has || !vals.includes(value!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
      return has && Number(value) > Number(vals[0]);
    case 'Lt':
      return has && Number(value) < Number(vals[0]);
    default:
      return false;
  }
}

export function nodeMatchesAffinity(node: Node, spec: PodSpec): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms?.length) return true;
  return terms.some(
    (t) =>
      (t.matchExpressions ?? []).every((r) => requirementMatches(r, labels[r.key], Object.prototype.hasOwnProperty.call(labels, r.key))) &&
      (t.matchFields ?? []).every((r) => r.key === 'metadata.name' && requirementMatches(r, node.metadata.name, true)),
  );
}

/** nodeShouldRunDaemonPod: affinity fits and every NoSchedule/NoExecute taint is tolerated. */
export function shouldRunOn(node: Node, spec: PodSpec): boolean {
  if (!nodeMatchesAffinity(node, spec)) return false;
  const tols = daemonTolerations(spec);
  return (node.spec?.taints ?? []).filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute').every((t) => tols.some((x) => tolerates(x, t)));
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
