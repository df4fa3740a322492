// Which pod updates Pod Security evaluates (isSignificantPodUpdate upstream): pod specs are
// immutable but for images (and tolerations, deadlines), so only a changed image, a changed
// container list or a changed seccomp annotation can make an admitted pod violate a policy;
// label, annotation, finalizer and status updates pass without a check.
import type { Container, KubeObject } from '@k8ts/api';

const SECCOMP_POD = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER = 'container.seccomp.security.alpha.kubernetes.io/';

type Annotations = Record<string, string | undefined>;

function containerChanged(c: Container, old: Container, a: Annotations, oldA: Annotations): boolean {
  if (c.image !== old.image) return true;
  const k = SECCOMP_CONTAINER + c.name;
  return a[k] !== oldA[k];
}

export function isSignificantPodUpdate(pod: KubeObject, old: KubeObject): boolean {
  const a = (pod.metadata?.annotations ?? {}) as Annotations;
  const oldA = (old.metadata?.annotations ?? {}) as Annotations;
  if (a[SECCOMP_POD] !== oldA[SECCOMP_POD]) return true;
  const spec = pod.spec ?? {};
  const oldSpec = old.spec ?? {};
  for (const list of ['containers', 'initContainers'] as const) {
    const cs: Container[] = spec[list] ?? [];
    const olds: Container[] = oldSpec[list] ?? [];
    if (cs.length !== olds.length) return true;
    if (cs.some((c, i) => containerChanged(c, olds[i]!, a, oldA))) return true;
  }
  const oldEphemeral: Container[] = oldSpec.ephemeralContainers ?? [];
  for (const c of (spec.ephemeralContainers ?? []) as Container[]) {
    const o = oldEphemeral.find((x) => x.name === c.name);
    if (!o || containerChanged(c, o, a, oldA)) return true;
  }
  return false;
}
