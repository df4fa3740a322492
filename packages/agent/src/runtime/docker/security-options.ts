// The security settings of a pod and its containers as Docker options: host namespaces
// (hostNetwork in create-options, hostPID and hostIPC here, on the sandbox and on every
// container), a shared process namespace, the user and groups (runAsUser, runAsGroup,
// supplementalGroups, fsGroup), privileged and capabilities, a read-only root filesystem,
// no-new-privileges for allowPrivilegeEscalation: false, the seccomp and AppArmor profiles
// (RuntimeDefault is the engine's default, Unconfined turns it off) and namespaced sysctls.
// What Docker cannot do is refused at admission; reaching here anyway is a ConfigError
// (CreateContainerConfigError), never a setting silently dropped.
import type Docker from 'dockerode';
import type { Container, Pod } from '@k8ts/api';
import { ConfigError } from '../config-error.js';

type HostConfig = NonNullable<Docker.ContainerCreateOptions['HostConfig']>;

const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

/** The sandbox owns the pod's IPC namespace (and sysctls live in the namespaces it owns). */
export function sandboxSecurity(pod: Pod): Pick<HostConfig, 'IpcMode' | 'PidMode' | 'Sysctls'> {
  const spec = pod.spec ?? { containers: [] };
  const sysctls = spec.securityContext?.sysctls ?? [];
  return {
    // joining a non-shareable IPC namespace fails
    IpcMode: spec.hostIPC ? 'host' : 'shareable',
    PidMode: spec.hostPID ? 'host' : undefined,
    Sysctls: sysctls.length ? Object.fromEntries(sysctls.map((s) => [s.name, s.value])) : undefined,
  };
}

function seccompOpt(pod: Pod, c: Container): string[] {
  const profile = c.securityContext?.seccompProfile ?? pod.spec?.securityContext?.seccompProfile;
  switch (profile?.type) {
    case undefined:
    case 'RuntimeDefault':
      return []; // the engine's default profile
    case 'Unconfined':
      return ['seccomp=unconfined'];
    default:
      throw new ConfigError(`seccomp profile type ${JSON.stringify(profile?.type)} is not supported on this node (RuntimeDefault or Unconfined)`);
  }
}

function appArmorOpt(pod: Pod, c: Container): string[] {
  const profile = c.securityContext?.appArmorProfile ?? pod.spec?.securityContext?.appArmorProfile;
  const annotation = (pod.metadata?.annotations ?? {})[APPARMOR_ANNOTATION_PREFIX + c.name];
  const type = profile?.type ?? (annotation === 'unconfined' ? 'Unconfined' : annotation === 'runtime/default' || !annotation ? undefined : annotation);
  if (type === undefined || type === 'RuntimeDefault') return [];
  if (type === 'Unconfined') return ['apparmor=unconfined'];
  throw new ConfigError(`AppArmor profile ${JSON.stringify(type)} is not supported on this node (RuntimeDefault or Unconfined)`);
}

/** runAsUser[:runAsGroup]; a group alone keeps the image's user. */
function userOpt(pod: Pod, c: Container, imageUser: string | undefined): string | undefined {
  const sc = c.securityContext ?? {};
  const psc = pod.spec?.securityContext ?? {};
  const user = sc.runAsUser ?? psc.runAsUser;
  const group = sc.runAsGroup ?? psc.runAsGroup;
  if (user !== undefined && user !== null) return `${user}${group !== undefined && group !== null ? `:${group}` : ''}`;
  if (group !== undefined && group !== null) return `${(imageUser ?? '').split(':')[0] || '0'}:${group}`;
  return undefined;
}

export function containerSecurity(pod: Pod, c: Container, sandboxId: string, imageUser?: string): { User?: string; HostConfig: Partial<HostConfig> } {
  const spec = pod.spec ?? { containers: [] };
  const sc = c.securityContext ?? {};
  const psc = spec.securityContext ?? {};
  const groups = [...(psc.supplementalGroups ?? []), ...(psc.fsGroup !== undefined && psc.fsGroup !== null ? [psc.fsGroup] : [])].map(String);
  const securityOpt = [...(sc.allowPrivilegeEscalation === false ? ['no-new-privileges'] : []), ...seccompOpt(pod, c), ...appArmorOpt(pod, c)];
  return {
    User: userOpt(pod, c, imageUser),
    HostConfig: {
      IpcMode: spec.hostIPC ? 'host' : `container:${sandboxId}`,
      PidMode: spec.hostPID ? 'host' : spec.shareProcessNamespace ? `container:${sandboxId}` : undefined,
      GroupAdd: groups.length ? [...new Set(groups)] : undefined,
      SecurityOpt: securityOpt.length ? securityOpt : undefined,
      Privileged: !!sc.privileged,
      CapAdd: (sc.capabilities?.add as string[] | undefined) ?? undefined,
      CapDrop: (sc.capabilities?.drop as string[] | undefined) ?? undefined,
      ReadonlyRootfs: !!sc.readOnlyRootFilesystem,
    },
  };
}
