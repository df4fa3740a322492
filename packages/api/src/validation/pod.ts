// PodSpec validation (ValidatePodSpec) and pod update rules (ValidatePodUpdate).
import { isDNS1123Label, isDNS1123Subdomain } from '../selectors/label-syntax.js';
import { type FieldError, duplicate, forbidden, invalid, notSupported, required } from './field-error.js';
import { validateContainer } from './containers.js';
import { validateLocalDescendingPath } from './common.js';
import { validateAffinity, validateTolerations, validateTopologySpreadConstraints } from './scheduling.js';
import { validateLabels } from './meta.js';
import { validateEphemeralContainers } from './ephemeral-containers.js';

export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];

const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'secret', 'configMap', 'persistentVolumeClaim', 'downwardAPI', 'projected', 'nfs', 'csi',
  'ephemeral', 'image', 'gitRepo', 'iscsi', 'glusterfs', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'fc',
  'azureFile', 'azureDisk', 'vsphereVolume', 'quobyte', 'photonPersistentDisk', 'portworxVolume', 'scaleIO',
  'storageos', 'gcePersistentDisk', 'awsElasticBlockStore',
];

function validateVolumes(volumes: any[] | undefined, fld: string): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (volumes ?? []).forEach((v: any, i: number) => {
    const p = `${fld}[${i}]`;
    if (!v?.name) errs.push(required(`${p}.name`));
    else {
      for (const m of isDNS1123Label(String(v.name))) errs.push(invalid(`${p}.name`, v.name, m));
      if (names.has(v.name)) errs.push(duplicate(`${p}.name`, v.name));
      names.add(v.name);
    }
    const sources = VOLUME_SOURCES.filter((s) => v?.[s] !== undefined && v?.[s] !== null);
    if (sources.length === 0) errs.push(required(p, 'must specify a volume type'));
    else if (sources.length > 1) errs.push(forbidden(`${p}.${sources[1]}`, 'may not specify more than 1 volume type'));
    if (v?.hostPath && !v.hostPath.path) errs.push(required(`${p}.hostPath.path`));
    if (v?.secret && !v.secret.secretName) errs.push(required(`${p}.secret.secretName`));
    if (v?.configMap && !v.configMap.name) errs.push(required(`${p}.configMap.name`));
    if (v?.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) errs.push(required(`${p}.persistentVolumeClaim.claimName`));
    for (const s of ['secret', 'configMap', 'downwardAPI']) {
      (v?.[s]?.items ?? []).forEach((it: any, j: number) => errs.push(...validateLocalDescendingPath(it?.path, `${p}.${s}.items[${j}].path`)));
    }
    (v?.projected?.sources ?? []).forEach((src: any, j: number) => {
      for (const s of ['secret', 'configMap', 'downwardAPI'])
        (src?.[s]?.items ?? []).forEach((it: any, k: number) => errs.push(...validateLocalDescendingPath(it?.path, `${p}.projected.sources[${j}].${s}.items[${k}].path`)));
      errs.push(...validateLocalDescendingPath(src?.serviceAccountToken?.path, `${p}.projected.sources[${j}].serviceAccountToken.path`));
    });
    for (const s of ['secret', 'configMap', 'downwardAPI', 'projected']) {
      const mode = v?.[s]?.defaultMode;
      if (mode !== undefined && (typeof mode !== 'number' || mode < 0 || mode > 0o777))
        errs.push(invalid(`${p}.${s}.defaultMode`, mode, 'must be a number between 0 and 0777 (octal), both inclusive'));
    }
  });
  return { errs, names };
}

export interface PodSpecOptions {
  /** Restart policies allowed (a Deployment's template: Always only; a Job's: OnFailure/Never). */
  restartPolicies?: string[];
}

export function validatePodSpec(spec: any, fld: string, opts: PodSpecOptions = {}): FieldError[] {
  if (spec === null || typeof spec !== 'object') return [required(fld)];
  const errs: FieldError[] = [];
  const vol = validateVolumes(spec.volumes, `${fld}.volumes`);
  errs.push(...vol.errs);
  const names = new Set<string>();
  (spec.initContainers ?? []).forEach((c: any, i: number) =>
    errs.push(...validateContainer(c, `${fld}.initContainers[${i}]`, { volumes: vol.names, names, init: true, hostNetwork: spec.hostNetwork === true })),
  );
  const containers: any[] = Array.isArray(spec.containers) ? spec.containers : [];
  if (containers.length === 0) errs.push(required(`${fld}.containers`));
  containers.forEach((c, i) =>
    errs.push(...validateContainer(c, `${fld}.containers[${i}]`, { volumes: vol.names, names, init: false, hostNetwork: spec.hostNetwork === true })),
  );
  errs.push(...validateEphemeralContainers(spec, `${fld}.ephemeralContainers`, vol.names));
  // Host ports may not clash between containers of one pod.
  const hostPorts = new Set<string>();
  [...(spec.initContainers ?? []), ...containers].forEach((c: any, ci: number) =>
    (c?.ports ?? []).forEach((p: any, pi: number) => {
      if (!p?.hostPort) return;
      const k = `${p.protocol ?? 'TCP'}/${p.hostIP ?? ''}/${p.hostPort}`;
      if (hostPorts.has(k)) errs.push(duplicate(`${fld}.containers[${ci}].ports[${pi}].hostPort`, k));
      hostPorts.add(k);
    }),
  );

  const allowed = opts.restartPolicies ?? RESTART_POLICIES;
  if (spec.restartPolicy === undefined || spec.restartPolicy === '') {
    if (opts.restartPolicies) errs.push(notSupported(`${fld}.restartPolicy`, '', allowed));
  } else if (!allowed.includes(spec.restartPolicy)) {
    errs.push(notSupported(`${fld}.restartPolicy`, spec.restartPolicy, allowed));
  }
  if (spec.dnsPolicy !== undefined && !DNS_POLICIES.includes(spec.dnsPolicy)) errs.push(notSupported(`${fld}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES));
  if (spec.dnsPolicy === 'None' && !spec.dnsConfig?.nameservers?.length)
    errs.push(required(`${fld}.dnsConfig.nameservers`, 'must provide at least one DNS nameserver when `dnsPolicy` is None'));
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    const v = spec.activeDeadlineSeconds;
    if (typeof v !== 'number' || v < 1 || v > 2147483647 || !Number.isInteger(v))
      errs.push(invalid(`${fld}.activeDeadlineSeconds`, v, 'must be between 1 and 2147483647, inclusive'));
  }
  if (typeof spec.terminationGracePeriodSeconds === 'number' && spec.terminationGracePeriodSeconds < 0)
    errs.push(invalid(`${fld}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, 'must be greater than or equal to 0'));
  errs.push(...validateLabels(spec.nodeSelector, `${fld}.nodeSelector`));
  if (spec.nodeName) for (const m of isDNS1123Subdomain(spec.nodeName)) errs.push(invalid(`${fld}.nodeName`, spec.nodeName, m));
  if (spec.serviceAccountName) for (const m of isDNS1123Subdomain(spec.serviceAccountName)) errs.push(invalid(`${fld}.serviceAccountName`, spec.serviceAccountName, m));
  if (spec.hostname) for (const m of isDNS1123Label(spec.hostname)) errs.push(invalid(`${fld}.hostname`, spec.hostname, m));
  if (spec.subdomain) for (const m of isDNS1123Label(spec.subdomain)) errs.push(invalid(`${fld}.subdomain`, spec.subdomain, m));
  (spec.imagePullSecrets ?? []).forEach((s: any, i: number) => {
    if (!s?.name) errs.push(required(`${fld}.imagePullSecrets[${i}].name`));
  });
  errs.push(...validateTolerations(spec.tolerations, `${fld}.tolerations`));
  errs.push(...validateAffinity(spec.affinity, `${fld}.affinity`));
  errs.push(...validateTopologySpreadConstraints(spec.topologySpreadConstraints, `${fld}.topologySpreadConstraints`));
  return errs;
}

const MUTABLE_MESSAGE =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function sameTolerations(a: any, b: any): boolean {
  const norm = (t: any) => JSON.stringify({ k: t.key ?? '', o: t.operator ?? '', v: t.value ?? '', e: t.effect ?? '', s: t.tolerationSeconds ?? null });
  return norm(a) === norm(b);
}

/** Stable JSON (sorted keys) so that key order from different clients does not count as a change. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x,
  );
}

/** ValidatePodUpdate's spec rule: only images, activeDeadlineSeconds and added tolerations change. */
export function validatePodSpecUpdate(spec: any, old: any, fld = 'spec'): FieldError[] {
  const errs: FieldError[] = [];
  const s = structuredClone(spec ?? {});
  const o = structuredClone(old ?? {});
  // activeDeadlineSeconds: may be set, or lowered, never removed or raised.
  const nd = s.activeDeadlineSeconds;
  const od = o.activeDeadlineSeconds;
  if (od !== undefined && od !== null && (nd === undefined || nd === null || nd > od))
    errs.push(invalid(`${fld}.activeDeadlineSeconds`, nd ?? null, 'must be less than or equal to previous value'));
  // Existing tolerations must stay (tolerationSeconds may only be lowered); new ones may be added.
  const oldTols: any[] = o.tolerations ?? [];
  const newTols: any[] = s.tolerations ?? [];
  const tolsOk = oldTols.every((ot) =>
    newTols.some((nt) => (sameTolerations(nt, ot) ? true : sameTolerations({ ...nt, tolerationSeconds: null }, { ...ot, tolerationSeconds: null }) && ot.tolerationSeconds != null && nt.tolerationSeconds != null && nt.tolerationSeconds <= ot.tolerationSeconds)),
  );
  if (!tolsOk) errs.push(forbidden(`${fld}.tolerations`, 'existing toleration can not be modified except its tolerationSeconds'));
  // Mask what may change, then the rest must be identical.
  // Ephemeral containers change only through pods/ephemeralcontainers: here they must stay.
  for (const k of ['containers', 'initContainers'] as const) {
    const nl: any[] = s[k] ?? [];
    const ol: any[] = o[k] ?? [];
    if (nl.length === ol.length) nl.forEach((c, i) => { if (c && ol[i]) c.image = ol[i].image; });
  }
  s.activeDeadlineSeconds = o.activeDeadlineSeconds;
  s.tolerations = o.tolerations;
  // terminationGracePeriodSeconds may go from negative to 1.
  if (typeof o.terminationGracePeriodSeconds === 'number' && o.terminationGracePeriodSeconds < 0 && s.terminationGracePeriodSeconds === 1)
    s.terminationGracePeriodSeconds = o.terminationGracePeriodSeconds;
  // The scheduler binds through the binding subresource; an update may not set nodeName.
  if (canonicalJson(s) !== canonicalJson(o)) errs.push(forbidden(fld, `${MUTABLE_MESSAGE}\n${specDiff(o, s)}`));
  return errs;
}

/** A short account of what differs, standing in for the cmp.Diff Kubernetes appends. */
function specDiff(o: any, s: any, prefix = 'spec'): string {
  const lines: string[] = [];
  const walk = (a: any, b: any, p: string) => {
    if (lines.length >= 10) return;
    if (canonicalJson(a) === canonicalJson(b)) return;
    if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
      const keys = Array.isArray(a) ? [...Array(Math.max(a.length, b.length)).keys()] : [...new Set([...Object.keys(a), ...Object.keys(b)])];
      for (const k of keys) walk(a[k as any], b[k as any], Array.isArray(a) ? `${p}[${k}]` : `${p}.${k}`);
      return;
    }
    lines.push(`  ${p}: ${JSON.stringify(a) ?? '<unset>'} -> ${JSON.stringify(b) ?? '<unset>'}`);
  };
  walk(o, s, prefix);
  return lines.join('\n');
}

export function validatePod(pod: any): FieldError[] {
  return validatePodSpec(pod.spec, 'spec');
}

export function validatePodUpdate(pod: any, old: any): FieldError[] {
  return validatePodSpecUpdate(pod.spec, old.spec, 'spec');
}
