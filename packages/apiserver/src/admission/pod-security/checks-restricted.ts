// The restricted checks of the Pod Security Standards (policy/check_*.go upstream). Three of
// them replace a baseline check at the restricted level (OverrideCheckIDs): restrictedVolumes
// for hostPathVolumes, capabilities_restricted and seccompProfile_restricted for their
// baseline halves.
import type { ObjectMeta, PodSpec } from '@k8ts/api';
import { ALLOWED, containersPhrase, forbid, isWindowsPod, joinQuote, pluralize, sortedSet, visitContainers, type Check, type CheckPodFn, type CheckResult } from './check-types.js';
import { validSeccompType } from './checks-baseline.js';

/** From 1.25 on, pods with spec.os.name=windows skip the Linux-only restricted checks. */
function exceptWindows(check: CheckPodFn): CheckPodFn {
  return (meta, spec) => (isWindowsPod(spec) ? ALLOWED : check(meta, spec));
}

function allowPrivilegeEscalation(_meta: ObjectMeta, spec: PodSpec): CheckResult {
  const bad: string[] = [];
  visitContainers(spec, (c) => {
    if (c.securityContext?.allowPrivilegeEscalation !== false) bad.push(c.name);
  });
  return bad.length ? forbid('allowPrivilegeEscalation != false', `${containersPhrase(bad)} must set securityContext.allowPrivilegeEscalation=false`) : ALLOWED;
}

function capabilitiesRestricted(_meta: ObjectMeta, spec: PodSpec): CheckResult {
  const missingDropAll: string[] = [];
  const addingForbidden: string[] = [];
  const caps: string[] = [];
  visitContainers(spec, (c) => {
    const k = c.securityContext?.capabilities;
    if (!k) {
      missingDropAll.push(c.name);
      return;
    }
    if (!(k.drop ?? []).includes('ALL')) missingDropAll.push(c.name);
    const bad = (k.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE');
    if (bad.length) {
      addingForbidden.push(c.name);
      caps.push(...bad);
    }
  });
  const details: string[] = [];
  if (missingDropAll.length) details.push(`${containersPhrase(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
  if (addingForbidden.length) details.push(`${containersPhrase(addingForbidden)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add`);
  return details.length ? forbid('unrestricted capabilities', details.join('; ')) : ALLOWED;
}

const ALLOWED_VOLUME_SOURCES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret', 'image'];
// Upstream's order of the forbidden sources it names (the first one set wins).
const NAMED_VOLUME_SOURCES: Array<[string, string]> = [
  ['hostPath', 'hostPath'],
  ['gcePersistentDisk', 'gcePersistentDisk'],
  ['awsElasticBlockStore', 'awsElasticBlockStore'],
  ['gitRepo', 'gitRepo'],
  ['nfs', 'nfs'],
  ['iscsi', 'iscsi'],
  ['glusterfs', 'glusterfs'],
  ['rbd', 'rbd'],
  ['flexVolume', 'flexVolume'],
  ['cinder', 'cinder'],
  ['cephfs', 'cephfs'],
  ['flocker', 'flocker'],
  ['fc', 'fc'],
  ['azureFile', 'azureFile'],
  ['vsphereVolume', 'vsphereVolume'],
  ['quobyte', 'quobyte'],
  ['azureDisk', 'azureDisk'],
  ['photonPersistentDisk', 'photonPersistentDisk'],
  ['portworxVolume', 'portworxVolume'],
  ['scaleIO', 'scaleIO'],
  ['storageos', 'storageos'],
];

function restrictedVolumes(_meta: ObjectMeta, spec: PodSpec): CheckResult {
  const badVolumes: string[] = [];
  const types: string[] = [];
  for (const v of spec.volumes ?? []) {
    const vol = v as unknown as Record<string, unknown>;
    if (ALLOWED_VOLUME_SOURCES.some((k) => vol[k] != null)) continue;
    badVolumes.push(v.name);
    types.push(NAMED_VOLUME_SOURCES.find(([k]) => vol[k] != null)?.[1] ?? 'unknown');
  }
  if (!badVolumes.length) return ALLOWED;
  const t = sortedSet(types);
  return forbid(
    'restricted volume types',
    `${pluralize('volume', 'volumes', badVolumes.length)} ${joinQuote(badVolumes)} ${pluralize('uses', 'use', badVolumes.length)} ${pluralize('restricted volume type', 'restricted volume types', t.length)} ${joinQuote(t)}`,
  );
}

function runAsNonRoot(_meta: ObjectMeta, spec: PodSpec): CheckResult {
  const badSetters: string[] = [];
  let podRunAsNonRoot = false;
  const p = spec.securityContext?.runAsNonRoot;
  if (p === false) badSetters.push('pod');
  else if (p === true) podRunAsNonRoot = true;
  const explicit: string[] = [];
  const implicit: string[] = [];
  visitContainers(spec, (c) => {
    const v = c.securityContext?.runAsNonRoot;
    if (v !== undefined && v !== null) {
      if (!v) explicit.push(c.name);
    } else if (!podRunAsNonRoot) implicit.push(c.name);
  });
  if (explicit.length) badSetters.push(containersPhrase(explicit));
  if (badSetters.length) return forbid('runAsNonRoot != true', `${badSetters.join(' and ')} must not set securityContext.runAsNonRoot=false`);
  if (implicit.length) return forbid('runAsNonRoot != true', `pod or ${containersPhrase(implicit)} must set securityContext.runAsNonRoot=true`);
  return ALLOWED;
}

function runAsUser(_meta: ObjectMeta, spec: PodSpec): CheckResult {
  const badSetters: string[] = [];
  if (spec.securityContext?.runAsUser === 0) badSetters.push('pod');
  const bad: string[] = [];
  visitContainers(spec, (c) => {
    if (c.securityContext?.runAsUser === 0) bad.push(c.name);
  });
  if (bad.length) badSetters.push(containersPhrase(bad));
  return badSetters.length ? forbid('runAsUser=0', `${badSetters.join(' and ')} must not set runAsUser=0`) : ALLOWED;
}

function seccompRestricted(_meta: ObjectMeta, spec: PodSpec): CheckResult {
  const badSetters: string[] = [];
  const values: string[] = [];
  let podSet = false;
  const p = spec.securityContext?.seccompProfile;
  if (p) {
    if (!validSeccompType(p.type)) {
      badSetters.push('pod');
      values.push(String(p.type));
    } else podSet = true;
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  visitContainers(spec, (c) => {
    const s = c.securityContext?.seccompProfile;
    if (s) {
      if (!validSeccompType(s.type)) {
        explicit.push(c.name);
        values.push(String(s.type));
      }
    } else if (!podSet) implicit.push(c.name);
  });
  if (explicit.length) badSetters.push(containersPhrase(explicit));
  if (badSetters.length) return forbid('seccompProfile', `${badSetters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(values))}`);
  if (implicit.length) return forbid('seccompProfile', `pod or ${containersPhrase(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`);
  return ALLOWED;
}

export const RESTRICTED_CHECKS: Check[] = [
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    versions: [
      { minimumMinor: 8, check: allowPrivilegeEscalation },
      { minimumMinor: 25, check: exceptWindows(allowPrivilegeEscalation) },
    ],
  },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    versions: [
      { minimumMinor: 22, check: capabilitiesRestricted, overrides: ['capabilities_baseline'] },
      { minimumMinor: 25, check: exceptWindows(capabilitiesRestricted), overrides: ['capabilities_baseline'] },
    ],
  },
  { id: 'restrictedVolumes', level: 'restricted', versions: [{ minimumMinor: 0, check: restrictedVolumes, overrides: ['hostPathVolumes'] }] },
  { id: 'runAsNonRoot', level: 'restricted', versions: [{ minimumMinor: 0, check: runAsNonRoot }] },
  { id: 'runAsUser', level: 'restricted', versions: [{ minimumMinor: 23, check: runAsUser }] },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    versions: [
      { minimumMinor: 19, check: seccompRestricted, overrides: ['seccompProfile_baseline'] },
      { minimumMinor: 25, check: exceptWindows(seccompRestricted), overrides: ['seccompProfile_baseline'] },
    ],
  },
];
