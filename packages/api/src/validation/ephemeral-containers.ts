// Ephemeral containers (kubectl debug): what a pod's spec.ephemeralContainers may hold
// (validateEphemeralContainers) and how the pods/ephemeralcontainers subresource may change
// them (ValidatePodEphemeralContainersUpdate): added only, never removed or changed.
import { type FieldError, forbidden, notFound } from './field-error.js';
import { validateContainer } from './containers.js';
import { canonicalJson } from './pod.js';

/**
 * Fields an ephemeral container may not set (upstream's allowedEphemeralContainerFields,
 * turned round): they would make it part of the workload, which it must never be.
 */
const DISALLOWED = ['ports', 'resources', 'resizePolicy', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'restartPolicy'];
const NOT_FOR_EPHEMERAL = 'cannot be set for an Ephemeral Container';
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

/** Go's zero value test for what JSON can carry: absent, null, "", 0, false, [] and {} (all of whose fields are zero). */
function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.values(v as Record<string, unknown>).every(isZero);
  return false;
}

/** spec.ephemeralContainers of a pod whose other containers and volumes are known. */
export function validateEphemeralContainers(spec: any, fld: string, volumes: Set<string>): FieldError[] {
  const list = spec?.ephemeralContainers;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) return [{ field: fld, type: 'FieldValueInvalid', message: 'Invalid value: must be a list', value: list }];
  const errs: FieldError[] = [];
  // Names are unique across all containers of the pod; a target is a container or init container.
  const others = new Set<string>();
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) if (typeof c?.name === 'string') others.add(c.name);
  const names = new Set(others);
  list.forEach((ec: any, i: number) => {
    const p = `${fld}[${i}]`;
    if (ec === null || typeof ec !== 'object' || Array.isArray(ec)) {
      errs.push({ field: p, type: 'FieldValueInvalid', message: 'Invalid value: must be an object', value: ec });
      return;
    }
    // The common container rules, on what is left once the disallowed fields are reported apart.
    const common: Record<string, unknown> = { ...ec };
    for (const k of [...DISALLOWED, 'targetContainerName']) delete common[k];
    errs.push(...validateContainer(common, p, { volumes, names, init: false, hostNetwork: spec.hostNetwork === true }));
    if (ec.targetContainerName !== undefined && ec.targetContainerName !== '' && !others.has(ec.targetContainerName)) {
      errs.push(notFound(`${p}.targetContainerName`, ec.targetContainerName));
    }
    for (const k of DISALLOWED) if (!isZero(ec[k])) errs.push(forbidden(`${p}.${k}`, NOT_FOR_EPHEMERAL));
    // subPath mounts are bind mounts left until the pod ends, and mean the container is part of the workload.
    (Array.isArray(ec.volumeMounts) ? ec.volumeMounts : []).forEach((vm: any, j: number) => {
      if (vm?.subPath) errs.push(forbidden(`${p}.volumeMounts[${j}].subPath`, NOT_FOR_EPHEMERAL));
      if (vm?.subPathExpr) errs.push(forbidden(`${p}.volumeMounts[${j}].subPathExpr`, NOT_FOR_EPHEMERAL));
    });
  });
  return errs;
}

/** ValidatePodCreate's rule: ephemeral containers come only through the subresource. */
export function validatePodCreate(pod: any): FieldError[] {
  const list = pod?.spec?.ephemeralContainers;
  return Array.isArray(list) && list.length > 0 ? [forbidden('spec.ephemeralContainers', 'cannot be set on create')] : [];
}

/**
 * A write of pods/ephemeralcontainers (the pod's spec otherwise as it was): existing ephemeral
 * containers stay exactly as they are; new ones are checked with the spec.
 */
export function validatePodEphemeralContainersUpdate(pod: any, old: any): FieldError[] {
  if (old?.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return [forbidden('', 'static pods do not support ephemeral containers')];
  const errs: FieldError[] = [];
  const fld = 'spec.ephemeralContainers';
  const next = new Map<string, unknown>();
  for (const c of Array.isArray(pod?.spec?.ephemeralContainers) ? pod.spec.ephemeralContainers : []) if (typeof c?.name === 'string') next.set(c.name, c);
  for (const o of old?.spec?.ephemeralContainers ?? []) {
    const n = next.get(o?.name);
    if (n === undefined) errs.push(forbidden(fld, `existing ephemeral containers ${JSON.stringify(o?.name)} may not be removed\n`));
    else if (canonicalJson(n) !== canonicalJson(o)) errs.push(forbidden(`${fld}[${o.name}]`, `existing ephemeral containers ${JSON.stringify(o.name)} may not be changed\n`));
  }
  return errs;
}
