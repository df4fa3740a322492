// runAsNonRoot as the kubelet checks it before creating a container (verifyRunAsNonRoot): with
// no runAsUser, the image's configured user decides, and an image that runs as root (no USER,
// or uid 0) or names its user (so the uid cannot be known) is refused with kubelet's words;
// the pod then waits in CreateContainerConfigError.
import type { Container, Pod } from '@k8ts/api';
import { ConfigError } from './config-error.js';

/** kubelet's format.Pod: name_namespace(uid). */
function podDesc(pod: Pod): string {
  const m = pod.metadata ?? {};
  return `${m.name ?? ''}_${m.namespace ?? ''}(${m.uid ?? ''})`;
}

/** The uid part of an image's USER ("1000", "1000:1000"), or its user name when not numeric. */
export function imageUid(user: string | undefined): { uid?: number; name?: string } {
  const u = (user ?? '').split(':')[0] ?? '';
  if (u === '') return { uid: 0 };
  return /^[0-9]+$/.test(u) ? { uid: Number(u) } : { name: u };
}

export function verifyRunAsNonRoot(pod: Pod, c: Container, imageUser: string | undefined): void {
  const csc = c.securityContext ?? {};
  const psc = pod.spec?.securityContext ?? {};
  const nonRoot = csc.runAsNonRoot ?? psc.runAsNonRoot;
  if (!nonRoot) return;
  const runAsUser = csc.runAsUser ?? psc.runAsUser;
  const pod_ = JSON.stringify(podDesc(pod));
  if (runAsUser !== undefined && runAsUser !== null) {
    if (runAsUser === 0) throw new ConfigError(`container's runAsUser breaks non-root policy (pod: ${pod_}, container: ${c.name})`);
    return;
  }
  const { uid, name } = imageUid(imageUser);
  if (uid === 0) throw new ConfigError(`container has runAsNonRoot and image will run as root (pod: ${pod_}, container: ${c.name})`);
  if (name !== undefined) throw new ConfigError(`container has runAsNonRoot and image has non-numeric user (${name}), cannot verify user is non-root (pod: ${pod_}, container: ${c.name})`);
}
