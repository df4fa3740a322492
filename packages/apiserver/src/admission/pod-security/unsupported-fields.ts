// Pod fields k8ts' agent cannot honour on a Docker engine are refused when the pod or the
// workload template is written, at every Pod Security level and in every namespace, so that
// no setting is silently ignored: SELinux labels, Localhost seccomp and AppArmor profiles
// (the engine has no profiles loaded beside its defaults), Unmasked /proc (needs user
// namespaces), user namespaces themselves (hostUsers: false), Windows pods and HostProcess
// containers, and sysctls Docker cannot set in a pod (not namespaced, or in a host namespace).
import { findResource, type Container, type KubeObject } from '@k8ts/api';
import * as errs from '../../registry/errors.js';
import type { AdmissionPlugin, AdmissionRequest } from '../../registry/admission.js';
import { TEMPLATE_RESOURCES, extractPodSpec, type PodLike } from './pod-spec.js';

interface Cause {
  field: string;
  message: string;
  type: string;
}

const NOT_SUPPORTED = 'not supported by k8ts';
const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';
// Namespaced sysctls Docker sets on a container (runc's validation), by the namespace owning them.
const IPC_SYSCTL = /^(kernel\.(shm(all|max|mni|_rmid_forced)|msg(max|mnb|mni)|sem)|fs\.mqueue\..+)$/;
const NET_SYSCTL = /^net\..+/;

function forbidden(field: string, why: string): Cause {
  return { field, message: `Forbidden: ${NOT_SUPPORTED} (${why})`, type: 'FieldValueForbidden' };
}

function securityContextCauses(sc: Record<string, any> | undefined, path: string, out: Cause[]): void {
  if (!sc) return;
  if (sc.seLinuxOptions) out.push(forbidden(`${path}.seLinuxOptions`, 'Docker engine without SELinux'));
  if (sc.seccompProfile?.type === 'Localhost') out.push(forbidden(`${path}.seccompProfile.type`, 'no Localhost seccomp profiles on its Docker engine; use RuntimeDefault or Unconfined'));
  if (sc.appArmorProfile?.type === 'Localhost') out.push(forbidden(`${path}.appArmorProfile.type`, 'no Localhost AppArmor profiles on its Docker engine; use RuntimeDefault or Unconfined'));
  if (sc.windowsOptions?.hostProcess === true) out.push(forbidden(`${path}.windowsOptions.hostProcess`, 'Linux containers only'));
  if (sc.procMount === 'Unmasked') out.push(forbidden(`${path}.procMount`, 'an unmasked /proc needs user namespaces, which k8ts does not run'));
}

function annotationCauses(pod: PodLike, out: Cause[]): void {
  const a = (pod.meta.annotations ?? {}) as Record<string, string>;
  for (const [k, v] of Object.entries(a)) {
    const seccomp = k === SECCOMP_POD_ANNOTATION || k.startsWith(SECCOMP_CONTAINER_ANNOTATION_PREFIX);
    if ((seccomp || k.startsWith(APPARMOR_ANNOTATION_PREFIX)) && typeof v === 'string' && v.startsWith('localhost/')) {
      out.push(forbidden(`${pod.metaPath}.annotations[${k}]`, `no Localhost ${seccomp ? 'seccomp' : 'AppArmor'} profiles on its Docker engine`));
    }
  }
}

function sysctlCauses(pod: PodLike, out: Cause[]): void {
  const spec = pod.spec;
  (spec.securityContext?.sysctls ?? []).forEach((s, i) => {
    const f = `${pod.specPath}.securityContext.sysctls[${i}].name`;
    const name = String(s?.name ?? '');
    if (NET_SYSCTL.test(name)) {
      if (spec.hostNetwork) out.push({ field: f, message: `Invalid value: ${JSON.stringify(name)}: sysctl ${JSON.stringify(name)} not allowed with host net enabled`, type: 'FieldValueInvalid' });
    } else if (IPC_SYSCTL.test(name)) {
      if (spec.hostIPC) out.push({ field: f, message: `Invalid value: ${JSON.stringify(name)}: sysctl ${JSON.stringify(name)} not allowed with host ipc enabled`, type: 'FieldValueInvalid' });
    } else out.push(forbidden(f, 'only namespaced sysctls (net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*) can be set in a pod'));
  });
}

/** Every unsupported field of a pod or pod template, as field errors. */
export function unsupportedPodFields(pod: PodLike): Cause[] {
  const out: Cause[] = [];
  const spec = pod.spec as Record<string, any>;
  const p = pod.specPath;
  if (spec.os?.name === 'windows') out.push(forbidden(`${p}.os.name`, 'Linux containers only'));
  if (spec.hostUsers === false) out.push(forbidden(`${p}.hostUsers`, 'user namespaces are not supported'));
  securityContextCauses(spec.securityContext, `${p}.securityContext`, out);
  const lists: Array<['initContainers' | 'containers' | 'ephemeralContainers', Container[] | undefined]> = [
    ['initContainers', spec.initContainers],
    ['containers', spec.containers],
    ['ephemeralContainers', spec.ephemeralContainers],
  ];
  for (const [list, cs] of lists) {
    (cs ?? []).forEach((c, i) => securityContextCauses(c?.securityContext as Record<string, any> | undefined, `${p}.${list}[${i}].securityContext`, out));
  }
  annotationCauses(pod, out);
  sysctlCauses(pod, out);
  return out;
}

export class UnsupportedPodFieldsAdmission implements AdmissionPlugin {
  readonly name = 'K8tsUnsupportedPodFields';

  validate(req: AdmissionRequest): void {
    // kubectl debug's containers arrive through pods/ephemeralcontainers: checked like the pod's own.
    if (req.operation === 'DELETE' || (req.subresource !== '' && req.subresource !== 'ephemeralcontainers') || !req.object) return;
    if (req.resource !== 'pods' && !TEMPLATE_RESOURCES.has(req.resource)) return;
    const pod = extractPodSpec(req.resource, req.object);
    if (!pod) return;
    const causes = unsupportedPodFields(pod);
    // An update that keeps what was already stored (e.g. a label change on an old object) passes.
    if (!causes.length || (req.oldObject && sameCauses(req.resource, req.oldObject, causes))) return;
    const info = findResource(req.resource);
    throw errs.invalid(info?.kind ?? 'Pod', req.name, causes, info?.group || undefined);
  }
}

function sameCauses(resource: string, old: KubeObject, causes: Cause[]): boolean {
  const o = extractPodSpec(resource, old);
  return !!o && JSON.stringify(unsupportedPodFields(o)) === JSON.stringify(causes);
}
