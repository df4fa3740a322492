// The baseline checks of the Pod Security Standards, one function per upstream check file
// (policy/check_*.go), with their forbidden reasons and details word for word.
import type { ObjectMeta, PodSpec } from '@k8ts/api';
import { ALLOWED, containersPhrase, forbid, joinQuote, pluralize, sortedSet, visitContainers, type Check, type CheckResult } from './check-types.js';

const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

function annotations(meta: ObjectMeta): Record<string, string> {
  return (meta.annotations ?? {}) as Record<string, string>;
}

/** "pod and containers "a", "b"" from who set a forbidden value. */
function setters(pod: boolean, containers: string[]): string[] {
  const out: string[] = [];
  if (pod) out.push('pod');
  if (containers.length) out.push(containersPhrase(containers));
  return out;
}

function appArmorProfile(meta: ObjectMeta, spec: PodSpec): CheckResult {
  const allowedType = (t: string | undefined) => t === 'RuntimeDefault' || t === 'Localhost';
  const badValues: string[] = [];
  let pod = false;
  const psc = spec.securityContext?.appArmorProfile;
  if (psc && !allowedType(psc.type)) {
    pod = true;
    badValues.push(String(psc.type));
  }
  const bad: string[] = [];
  visitContainers(spec, (c) => {
    const p = c.securityContext?.appArmorProfile;
    if (p && !allowedType(p.type)) {
      bad.push(c.name);
      badValues.push(String(p.type));
    }
  });
  const who = setters(pod, bad);
  const forbiddenAnnotations: string[] = [];
  for (const [k, v] of Object.entries(annotations(meta))) {
    if (k.startsWith(APPARMOR_ANNOTATION_PREFIX) && !(v === '' || v === 'runtime/default' || v.startsWith('localhost/'))) {
      forbiddenAnnotations.push(`${k}=${JSON.stringify(v)}`);
    }
  }
  const values = sortedSet(badValues);
  if (forbiddenAnnotations.length) {
    values.push(...sortedSet(forbiddenAnnotations));
    who.push(pluralize('annotation', 'annotations', forbiddenAnnotations.length));
  }
  if (!who.length) return ALLOWED;
  return forbid(pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', values.length), `${who.join(' and ')} must not set AppArmor profile type to ${joinQuote(values)}`);
}

const CAPABILITIES_ALLOWED = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);

function capabilitiesBaseline(_meta: ObjectMeta, spec: PodSpec): CheckResult {
  const bad: string[] = [];
  const caps: string[] = [];
  visitContainers(spec, (c) => {
    let valid = true;
    for (const cap of c.securityContext?.capabilities?.add ?? []) {
      if (!CAPABILITIES_ALLOWED.has(cap)) {
        valid = false;
        caps.push(cap);
      }
    }
    if (!valid) bad.push(c.name);
  });
  if (!bad.length) return ALLOWED;
  return forbid('non-default capabilities', `${containersPhrase(bad)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add`);
}

function hostNamespaces(_meta: ObjectMeta, spec: PodSpec): CheckResult {
  const on: string[] = [];
  if (spec.hostNetwork) on.push('hostNetwork=true');
  if (spec.hostPID) on.push('hostPID=true');
  if (spec.hostIPC) on.push('hostIPC=true');
  return on.length ? forbid('host namespaces', on.join(', ')) : ALLOWED;
}

function hostPathVolumes(_meta: ObjectMeta, spec: PodSpec): CheckResult {
  const names = (spec.volumes ?? []).filter((v) => v.hostPath).map((v) => v.name);
  return names.length ? forbid('hostPath volumes', `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)}`) : ALLOWED;
}

function hostPorts(_meta: ObjectMeta, spec: PodSpec): CheckResult {
  const bad: string[] = [];
  const ports: string[] = [];
  visitContainers(spec, (c) => {
    let valid = true;
    for (const p of c.ports ?? []) {
      if (p.hostPort) {
        valid = false;
        ports.push(String(p.hostPort));
      }
    }
    if (!valid) bad.push(c.name);
  });
  if (!bad.length) return ALLOWED;
  const list = sortedSet(ports);
  return forbid('hostPort', `${containersPhrase(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', list.length)} ${list.join(', ')}`);
}

function privileged(_meta: ObjectMeta, spec: PodSpec): CheckResult {
  const bad: string[] = [];
  visitContainers(spec, (c) => {
    if (c.securityContext?.privileged === true) bad.push(c.name);
  });
  return bad.length ? forbid('privileged', `${containersPhrase(bad)} must not set securityContext.privileged=true`) : ALLOWED;
}

function procMount(_meta: ObjectMeta, spec: PodSpec): CheckResult {
  const bad: string[] = [];
  const types: string[] = [];
  visitContainers(spec, (c) => {
    const pm = c.securityContext?.procMount;
    if (pm !== undefined && pm !== null && pm !== 'Default') {
      bad.push(c.name);
      types.push(pm);
    }
  });
  return bad.length ? forbid('procMount', `${containersPhrase(bad)} must not set securityContext.procMount to ${joinQuote(sortedSet(types))}`) : ALLOWED;
}

function seLinuxOptions(allowedTypes: ReadonlySet<string>) {
  return (_meta: ObjectMeta, spec: PodSpec): CheckResult => {
    const badTypes: string[] = [];
    let setUser = false;
    let setRole = false;
    const valid = (o: { type?: string; user?: string; role?: string }): boolean => {
      let ok = true;
      if (!allowedTypes.has(o.type ?? '')) {
        ok = false;
        badTypes.push(o.type ?? '');
      }
      if (o.user) (ok = false), (setUser = true);
      if (o.role) (ok = false), (setRole = true);
      return ok;
    };
    const podOpts = spec.securityContext?.seLinuxOptions;
    const pod = !!podOpts && !valid(podOpts);
    const bad: string[] = [];
    visitContainers(spec, (c) => {
      const o = c.securityContext?.seLinuxOptions;
      if (o && !valid(o)) bad.push(c.name);
    });
    const who = setters(pod, bad);
    if (!who.length) return ALLOWED;
    // As upstream: user/role are only mentioned beside a bad type.
    const data: string[] = [];
    const types = sortedSet(badTypes);
    if (types.length) {
      data.push(`${pluralize('type', 'types', types.length)} ${joinQuote(types)}`);
      if (setUser) data.push('user may not be set');
      if (setRole) data.push('role may not be set');
    }
    return forbid('seLinuxOptions', `${who.join(' and ')} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}`);
  };
}

const SELINUX_TYPES_1_0 = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const SELINUX_TYPES_1_31 = new Set([...SELINUX_TYPES_1_0, 'container_engine_t']);

function validSeccompAnnotation(v: string): boolean {
  return v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/');
}

function seccompBaseline_1_0(meta: ObjectMeta, spec: PodSpec): CheckResult {
  const a = annotations(meta);
  const bad: string[] = [];
  if (SECCOMP_POD_ANNOTATION in a && !validSeccompAnnotation(a[SECCOMP_POD_ANNOTATION]!)) bad.push(`${SECCOMP_POD_ANNOTATION}=${JSON.stringify(a[SECCOMP_POD_ANNOTATION])}`);
  visitContainers(spec, (c) => {
    const k = SECCOMP_CONTAINER_ANNOTATION_PREFIX + c.name;
    if (k in a && !validSeccompAnnotation(a[k]!)) bad.push(`${k}=${JSON.stringify(a[k])}`);
  });
  const list = sortedSet(bad);
  return list.length ? forbid('seccompProfile', `forbidden ${pluralize('annotation', 'annotations', list.length)} ${list.join(', ')}`) : ALLOWED;
}

export function validSeccompType(t: string | undefined): boolean {
  return t === 'RuntimeDefault' || t === 'Localhost';
}

function seccompBaseline_1_19(_meta: ObjectMeta, spec: PodSpec): CheckResult {
  const values: string[] = [];
  const p = spec.securityContext?.seccompProfile;
  const pod = !!p && !validSeccompType(p.type);
  if (pod) values.push(String(p!.type));
  const bad: string[] = [];
  visitContainers(spec, (c) => {
    const s = c.securityContext?.seccompProfile;
    if (s && !validSeccompType(s.type)) {
      bad.push(c.name);
      values.push(String(s.type));
    }
  });
  const who = setters(pod, bad);
  return who.length ? forbid('seccompProfile', `${who.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(values))}`) : ALLOWED;
}

const SYSCTLS_1_0 = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start'];
const SYSCTLS_1_27 = [...SYSCTLS_1_0, 'net.ipv4.ip_local_reserved_ports'];
const SYSCTLS_1_29 = [...SYSCTLS_1_27, 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'];
const SYSCTLS_1_32 = [...SYSCTLS_1_29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];

function sysctls(allowed: readonly string[]) {
  const set = new Set(allowed);
  return (_meta: ObjectMeta, spec: PodSpec): CheckResult => {
    const bad = (spec.securityContext?.sysctls ?? []).map((s) => s.name).filter((n) => !set.has(n));
    return bad.length ? forbid('forbidden sysctls', bad.join(', ')) : ALLOWED;
  };
}

function windowsHostProcess(_meta: ObjectMeta, spec: PodSpec): CheckResult {
  const bad: string[] = [];
  visitContainers(spec, (c) => {
    if (c.securityContext?.windowsOptions?.hostProcess === true) bad.push(c.name);
  });
  const who = setters(spec.securityContext?.windowsOptions?.hostProcess === true, bad);
  return who.length ? forbid('hostProcess', `${who.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`) : ALLOWED;
}

export const BASELINE_CHECKS: Check[] = [
  { id: 'appArmorProfile', level: 'baseline', versions: [{ minimumMinor: 0, check: appArmorProfile }] },
  { id: 'capabilities_baseline', level: 'baseline', versions: [{ minimumMinor: 0, check: capabilitiesBaseline }] },
  { id: 'hostNamespaces', level: 'baseline', versions: [{ minimumMinor: 0, check: hostNamespaces }] },
  { id: 'hostPathVolumes', level: 'baseline', versions: [{ minimumMinor: 0, check: hostPathVolumes }] },
  { id: 'hostPorts', level: 'baseline', versions: [{ minimumMinor: 0, check: hostPorts }] },
  { id: 'privileged', level: 'baseline', versions: [{ minimumMinor: 0, check: privileged }] },
  { id: 'procMount', level: 'baseline', versions: [{ minimumMinor: 0, check: procMount }] },
  {
    id: 'seLinuxOptions',
    level: 'baseline',
    versions: [
      { minimumMinor: 0, check: seLinuxOptions(SELINUX_TYPES_1_0) },
      { minimumMinor: 31, check: seLinuxOptions(SELINUX_TYPES_1_31) },
    ],
  },
  {
    id: 'seccompProfile_baseline',
    level: 'baseline',
    versions: [
      { minimumMinor: 0, check: seccompBaseline_1_0 },
      { minimumMinor: 19, check: seccompBaseline_1_19 },
    ],
  },
  {
    id: 'sysctls',
    level: 'baseline',
    versions: [
      { minimumMinor: 0, check: sysctls(SYSCTLS_1_0) },
      { minimumMinor: 27, check: sysctls(SYSCTLS_1_27) },
      { minimumMinor: 29, check: sysctls(SYSCTLS_1_29) },
      { minimumMinor: 32, check: sysctls(SYSCTLS_1_32) },
    ],
  },
  { id: 'windowsHostProcess', level: 'baseline', versions: [{ minimumMinor: 0, check: windowsHostProcess }] },
];
