// The objects one pod references, as Kubernetes' podutil.VisitPodSecretNames and
// VisitPodConfigmapNames visit them (image pull secrets; env and envFrom of init, regular and
// ephemeral containers; secret, configMap and projected volumes; the secret refs of volume
// plugins), plus its claims (persistentVolumeClaim and generic ephemeral volumes) and its
// service account. The Node authorizer's graph is built from these.
import type { KubeObject } from '@k8ts/api';

export interface PodRefs {
  secrets: Set<string>;
  configMaps: Set<string>;
  claims: Set<string>;
  serviceAccount: string;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function add(set: Set<string>, name: unknown): void {
  const n = str(name);
  if (n) set.add(n);
}

// Volume plugins whose secret lives in `secretRef.name` (or `secretName` for azureFile).
const SECRET_REF_PLUGINS = ['cephfs', 'cinder', 'flexVolume', 'rbd', 'scaleIO', 'iscsi', 'storageos'];

function visitContainer(c: Obj, refs: PodRefs): void {
  for (const from of arr(c.envFrom)) {
    if (isObj(from.secretRef)) add(refs.secrets, from.secretRef.name);
    if (isObj(from.configMapRef)) add(refs.configMaps, from.configMapRef.name);
  }
  for (const env of arr(c.env)) {
    const vf = env.valueFrom;
    if (!isObj(vf)) continue;
    if (isObj(vf.secretKeyRef)) add(refs.secrets, vf.secretKeyRef.name);
    if (isObj(vf.configMapKeyRef)) add(refs.configMaps, vf.configMapKeyRef.name);
  }
}

function visitVolume(v: Obj, podName: string, refs: PodRefs): void {
  if (isObj(v.secret)) add(refs.secrets, v.secret.secretName);
  if (isObj(v.configMap)) add(refs.configMaps, v.configMap.name);
  if (isObj(v.projected)) {
    for (const src of arr(v.projected.sources)) {
      if (isObj(src.secret)) add(refs.secrets, src.secret.name);
      if (isObj(src.configMap)) add(refs.configMaps, src.configMap.name);
    }
  }
  if (isObj(v.azureFile)) add(refs.secrets, v.azureFile.secretName);
  for (const plugin of SECRET_REF_PLUGINS) {
    const p = v[plugin];
    if (isObj(p) && isObj(p.secretRef)) add(refs.secrets, p.secretRef.name);
  }
  if (isObj(v.csi) && isObj(v.csi.nodePublishSecretRef)) add(refs.secrets, v.csi.nodePublishSecretRef.name);
  if (isObj(v.persistentVolumeClaim)) add(refs.claims, v.persistentVolumeClaim.claimName);
  // A generic ephemeral volume's claim is named <pod>-<volume>.
  if (isObj(v.ephemeral) && podName && str(v.name)) refs.claims.add(`${podName}-${str(v.name)}`);
}

export function podRefs(pod: KubeObject): PodRefs {
  const refs: PodRefs = { secrets: new Set(), configMaps: new Set(), claims: new Set(), serviceAccount: '' };
  const spec = pod.spec;
  if (!isObj(spec)) return refs;
  for (const s of arr(spec.imagePullSecrets)) add(refs.secrets, s.name);
  for (const list of [spec.initContainers, spec.containers, spec.ephemeralContainers]) for (const c of arr(list)) visitContainer(c, refs);
  const podName = str(pod.metadata?.name);
  for (const v of arr(spec.volumes)) visitVolume(v, podName, refs);
  refs.serviceAccount = str(spec.serviceAccountName);
  return refs;
}

/** The secrets a PersistentVolume's source names (namespace/name), as the graph's PV → secret edges. */
export function pvSecretRefs(pv: KubeObject): string[] {
  const spec = pv.spec;
  if (!isObj(spec)) return [];
  const out = new Set<string>();
  const claimNs = isObj(spec.claimRef) ? str(spec.claimRef.namespace) : '';
  const ref = (r: unknown, defaultNs: string) => {
    if (!isObj(r) || !str(r.name)) return;
    const ns = str(r.namespace) || defaultNs;
    if (ns) out.add(`${ns}/${str(r.name)}`);
  };
  for (const plugin of [...SECRET_REF_PLUGINS, 'csi']) {
    const p = spec[plugin];
    if (!isObj(p)) continue;
    ref(p.secretRef, claimNs);
    for (const k of ['nodePublishSecretRef', 'nodeStageSecretRef', 'nodeExpandSecretRef', 'controllerPublishSecretRef', 'controllerExpandSecretRef']) ref(p[k], claimNs);
  }
  if (isObj(spec.azureFile) && str(spec.azureFile.secretName)) {
    const ns = str(spec.azureFile.secretNamespace) || claimNs || 'default';
    out.add(`${ns}/${str(spec.azureFile.secretName)}`);
  }
  return [...out];
}
