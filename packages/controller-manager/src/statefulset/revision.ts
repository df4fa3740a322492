// A StatefulSet's history as ControllerRevisions (controller/history and the statefulset's
// getPatch/newRevision/ApplyRevision): each revision holds a strategic merge patch that puts
// the pod template back (`$patch: replace`), which is also what `kubectl rollout undo` applies.
import type { ControllerRevision, StatefulSet } from '@k8ts/api';
import { applyPatch, deepCopy, jsonEqual } from '@k8ts/api';
import { computeHash } from '../util/hash.js';
import { newControllerRef } from '../util/objects.js';

export const ControllerRevisionHashLabel = 'controller.kubernetes.io/hash';

export function revisionPatch(set: StatefulSet): Record<string, unknown> {
  return { spec: { template: { ...deepCopy(set.spec!.template), $patch: 'replace' } } };
}

/** ControllerRevisionName: the parent's name (at most 223 characters), a dash and the hash. */
export function revisionName(parent: string, hash: string): string {
  return `${parent.slice(0, 223)}-${hash}`;
}

/** newRevision: the revision `set` would be, hashed with collisionCount into its name. */
export function newRevision(set: StatefulSet, revision: number, collisionCount: number): ControllerRevision {
  const data = revisionPatch(set);
  const hash = computeHash(data, collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: revisionName(set.metadata.name!, hash),
      namespace: set.metadata.namespace,
      labels: { ...(set.spec?.template?.metadata?.labels ?? {}), [ControllerRevisionHashLabel]: hash },
      ...(set.metadata.annotations ? { annotations: { ...set.metadata.annotations } } : {}),
      ownerReferences: [newControllerRef(set, 'apps/v1', 'StatefulSet')],
    },
    data,
    revision,
  };
}

export const equalRevision = (a: ControllerRevision | undefined, b: ControllerRevision | undefined) => !!a && !!b && jsonEqual(a.data, b.data);

/** SortControllerRevisions: by revision number, then creation, then name. */
export function sortRevisions(revs: ControllerRevision[]): ControllerRevision[] {
  return [...revs].sort(
    (a, b) =>
      (a.revision ?? 0) - (b.revision ?? 0) ||
      (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
  );
}

export const nextRevision = (sorted: ControllerRevision[]) => (sorted.length ? (sorted[sorted.length - 1]!.revision ?? 0) + 1 : 1);

/** ApplyRevision: the set with the revision's template put back. */
export function applyRevision(set: StatefulSet, rev: ControllerRevision): StatefulSet {
  return applyPatch('strategic', set, rev.data ?? {}, 'statefulsets') as StatefulSet;
}
