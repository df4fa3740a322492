// Pod and pod template defaulting (pkg/apis/core/v1/defaults.go), plus what the
// ServiceAccount, Priority and DefaultTolerationSeconds admission plugins add to every pod.

import { parseQuantity } from '../quantity.js';

type Obj = Record<string, any>;

/** parsers.ParseImageName's rule: no tag and no digest, or tag `latest`, pulls Always. */
export function defaultPullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  if (!image) return 'Always';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const last = image.slice(lastSlash + 1);
  const colon = last.lastIndexOf(':');
  if (colon < 0) return 'Always';
  return last.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHttpGet(h: Obj | undefined): void {
  if (!h) return;
  h.path ||= '/';
  h.scheme ||= 'HTTP';
}

function defaultHandler(h: Obj | undefined): void {
  if (h) defaultHttpGet(h.httpGet);
}

function defaultProbe(p: Obj | undefined): void {
  if (!p) return;
  p.timeoutSeconds ||= 1;
  p.periodSeconds ||= 10;
  p.successThreshold ||= 1;
  p.failureThreshold ||= 3;
  defaultHandler(p);
  if (p.grpc && p.grpc.service === undefined) p.grpc.service = '';
}

function defaultContainer(c: Obj, hostNetwork: boolean): void {
  c.imagePullPolicy ||= defaultPullPolicy(c.image);
  c.terminationMessagePath ||= '/dev/termination-log';
  c.terminationMessagePolicy ||= 'File';
  for (const p of c.ports ?? []) {
    p.protocol ||= 'TCP';
    // With hostNetwork the container's port is the host's port.
    if (hostNetwork && p.hostPort === undefined) p.hostPort = p.containerPort;
  }
  for (const e of c.env ?? []) {
    const fr = e.valueFrom?.fieldRef;
    if (fr && !fr.apiVersion) fr.apiVersion = 'v1';
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (c.lifecycle) {
    defaultHandler(c.lifecycle.postStart);
    defaultHandler(c.lifecycle.preStop);
  }
  c.resources ??= {};
  // SetDefaults_Pod: a limit without a request requests the limit.
  const lim = c.resources.limits;
  if (lim && Object.keys(lim).length) {
    c.resources.requests ??= {};
    for (const [k, v] of Object.entries(lim)) if (c.resources.requests[k] === undefined) c.resources.requests[k] = v;
  }
}

const volumeSources = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected',
  'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
];

function defaultVolume(v: Obj): void {
  if (!volumeSources.some((s) => v[s] !== undefined && v[s] !== null)) v.emptyDir = {};
  for (const s of ['secret', 'configMap', 'downwardAPI', 'projected']) if (v[s] && v[s].defaultMode === undefined) v[s].defaultMode = 420;
  if (v.hostPath && v.hostPath.type === undefined) v.hostPath.type = '';
  for (const item of v.downwardAPI?.items ?? []) if (item.fieldRef && !item.fieldRef.apiVersion) item.fieldRef.apiVersion = 'v1';
}

/** Defaults a PodSpec in place. */
export function defaultPodSpec(spec: Obj): void {
  spec.restartPolicy ||= 'Always';
  spec.dnsPolicy ||= 'ClusterFirst';
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) spec.terminationGracePeriodSeconds = 30;
  spec.securityContext ??= {};
  spec.schedulerName ||= 'default-scheduler';
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null) spec.enableServiceLinks = true;
  // ServiceAccount admission.
  spec.serviceAccountName ||= spec.serviceAccount || 'default';
  spec.serviceAccount ||= spec.serviceAccountName;
  // Priority admission (no PriorityClass objects here: every pod gets priority 0).
  if (spec.priority === undefined && !spec.priorityClassName) spec.priority = 0;
  spec.preemptionPolicy ||= 'PreemptLowerPriority';
  const hostNetwork = spec.hostNetwork === true;
  for (const c of spec.containers ?? []) defaultContainer(c, hostNetwork);
  for (const c of spec.initContainers ?? []) defaultContainer(c, hostNetwork);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c, hostNetwork);
  for (const v of spec.volumes ?? []) defaultVolume(v);
}

/** Defaults a PodTemplateSpec (deployments, replicasets, daemonsets, jobs). */
export function defaultPodTemplate(tpl: Obj | undefined): void {
  if (!tpl) return;
  tpl.spec ??= {};
  defaultPodSpec(tpl.spec);
}

export interface TolerationLike {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/**
 * DefaultTolerationSeconds admission: a pod that does not tolerate not-ready/unreachable
 * NoExecute taints gets tolerations for `seconds`, so it is evicted that long after its node
 * goes away (300 s in Kubernetes; a setting of the apiserver here).
 */
export function defaultPodTolerations(pod: { spec?: Obj }, seconds: number): void {
  if (!pod.spec) return;
  const tols: TolerationLike[] = (pod.spec.tolerations ??= []);
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    const tolerated = tols.some(
      (t) =>
        (t.effect === 'NoExecute' || !t.effect) &&
        ((t.operator === 'Exists' && (!t.key || t.key === key)) || t.key === key),
    );
    if (!tolerated) tols.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
  }
}

/** qos.GetPodQOS: Guaranteed, Burstable or BestEffort. */
export function podQOSClass(pod: { spec?: Obj }): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers: Obj[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let anySet = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      if (req[r] !== undefined || lim[r] !== undefined) anySet = true;
      const l = lim[r];
      const q = req[r] ?? l;
      if (l === undefined || !sameQuantity(q, l)) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function sameQuantity(a: unknown, b: unknown): boolean {
  try {
    return parseQuantity(a as string) === parseQuantity(b as string);
  } catch {
    return false;
  }
}
