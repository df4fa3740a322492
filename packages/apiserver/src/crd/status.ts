// The status apiextensions-apiserver's controllers keep on each CRD: the naming controller's
// acceptedNames and NamesAccepted (no other CRD of the group holds one of its names), the
// establishing controller's Established, the finalizer's Terminating, and storedVersions.
// Pure: the controller computes the status every CRD should have and writes what differs.
import { customResourceKey, type CustomResourceDefinition } from '@k8ts/api';

type Condition = NonNullable<NonNullable<CustomResourceDefinition['status']>['conditions']>[number];
type Names = CustomResourceDefinition['spec']['names'];

interface Taken {
  plural: Set<string>;
  singular: Set<string>;
  shortNames: Set<string>;
  kind: Set<string>;
  listKind: Set<string>;
}

function emptyTaken(): Taken {
  return { plural: new Set(), singular: new Set(), shortNames: new Set(), kind: new Set(), listKind: new Set() };
}

function defaulted(n: Names): Required<Pick<Names, 'plural' | 'singular' | 'kind' | 'listKind'>> & Pick<Names, 'shortNames' | 'categories'> {
  return { plural: n.plural, singular: n.singular || n.kind.toLowerCase(), kind: n.kind, listKind: n.listKind || `${n.kind}List`, shortNames: n.shortNames ?? [], categories: n.categories ?? [] };
}

/** The conflict of `n` with names already taken in its group, as the naming controller words it. */
function conflict(n: ReturnType<typeof defaulted>, t: Taken): { reason: string; message: string } | undefined {
  if (t.plural.has(n.plural) || t.singular.has(n.plural)) return { reason: 'PluralConflict', message: `"${n.plural}" is already in use` };
  if (t.plural.has(n.singular) || t.singular.has(n.singular)) return { reason: 'SingularConflict', message: `"${n.singular}" is already in use` };
  for (const s of n.shortNames ?? []) if (t.shortNames.has(s) || t.plural.has(s) || t.singular.has(s)) return { reason: 'ShortNamesConflict', message: `"${s}" is already in use` };
  if (t.kind.has(n.kind) || t.listKind.has(n.kind)) return { reason: 'KindConflict', message: `"${n.kind}" is already in use` };
  if (t.kind.has(n.listKind) || t.listKind.has(n.listKind)) return { reason: 'ListKindConflict', message: `"${n.listKind}" is already in use` };
  return undefined;
}

function take(t: Taken, n: ReturnType<typeof defaulted>): void {
  t.plural.add(n.plural);
  t.singular.add(n.singular);
  for (const s of n.shortNames ?? []) t.shortNames.add(s);
  t.kind.add(n.kind);
  t.listKind.add(n.listKind);
}

function setCondition(conds: Condition[], c: Omit<Condition, 'lastTransitionTime'>, now: string): Condition[] {
  const old = conds.find((x) => x.type === c.type);
  const next: Condition = { type: c.type, status: c.status, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : now, reason: c.reason, message: c.message };
  return old ? conds.map((x) => (x === old ? next : x)) : [...conds, next];
}

/**
 * The status each CRD should have, by name. A CRD that holds accepted names keeps them, then
 * the oldest CRD of a group (then by name), as the naming controller lets the first one
 * accepted keep it; an
 * Established CRD stays Established, as upstream's does.
 */
export function desiredStatuses(crds: readonly CustomResourceDefinition[], now: string): Map<string, NonNullable<CustomResourceDefinition['status']>> {
  const out = new Map<string, NonNullable<CustomResourceDefinition['status']>>();
  const byGroup = new Map<string, Taken>();
  // Names already accepted stay with their holder: creationTimestamp has one-second grain,
  // so two CRDs made in the same second would otherwise trade a name by their own names.
  const accepted = (c: CustomResourceDefinition) => (c.status?.acceptedNames?.plural ? 0 : 1);
  const ordered = [...crds].sort((a, b) => accepted(a) - accepted(b) || String(a.metadata.creationTimestamp ?? '').localeCompare(String(b.metadata.creationTimestamp ?? '')) || String(a.metadata.name).localeCompare(String(b.metadata.name)));
  for (const crd of ordered) {
    const group = crd.spec.group;
    let taken = byGroup.get(group);
    if (!taken) byGroup.set(group, (taken = emptyTaken()));
    const names = defaulted(crd.spec.names);
    const clash = conflict(names, taken);
    let conds: Condition[] = crd.status?.conditions ?? [];
    const wasEstablished = conds.some((c) => c.type === 'Established' && c.status === 'True');
    const status: NonNullable<CustomResourceDefinition['status']> = { conditions: [], acceptedNames: crd.status?.acceptedNames ?? { plural: '', kind: '' }, storedVersions: crd.status?.storedVersions ?? [] };
    if (clash) {
      conds = setCondition(conds, { type: 'NamesAccepted', status: 'False', reason: clash.reason, message: clash.message }, now);
      if (!wasEstablished) conds = setCondition(conds, { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' }, now);
    } else {
      take(taken, names);
      status.acceptedNames = names;
      conds = setCondition(conds, { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' }, now);
      if (!wasEstablished) conds = setCondition(conds, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }, now);
    }
    if (crd.metadata.deletionTimestamp) conds = setCondition(conds, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' }, now);
    status.conditions = conds;
    const storage = crd.spec.versions.find((v) => v.storage)?.name;
    if (storage && !status.storedVersions!.includes(storage)) status.storedVersions = [...status.storedVersions!, storage];
    out.set(crd.metadata.name ?? customResourceKey(crd.spec.names.plural, group), status);
  }
  return out;
}
