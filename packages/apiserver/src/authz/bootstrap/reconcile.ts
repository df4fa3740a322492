// kube-apiserver's storage/rbac post-start hook (EnsureRBACPolicy): at every start, create
// the bootstrap ClusterRoles and ClusterRoleBindings that are missing, and into those still
// annotated rbac.authorization.kubernetes.io/autoupdate: "true" add the rules, aggregation
// selectors and subjects they lack (an operator's additions stay; setting the annotation to
// "false" stops the reconciliation).
import { isAlreadyExists, isConflict, isNotFound, type KubeObject } from '@k8ts/api';
import type { Logger } from 'pino';
import type { Registry } from '../../registry/types.js';
import { ruleCovers } from '../rbac/coverage.js';
import type { PolicyRule } from '../rbac/rules.js';
import { BOOTSTRAP_BINDINGS, type BootstrapBinding } from './bindings.js';
import { COMPONENT_ROLES } from './components.js';
import { DISCOVERY_ROLES, USER_FACING_ROLES, type BootstrapClusterRole } from './roles.js';

export const AUTOUPDATE = 'rbac.authorization.kubernetes.io/autoupdate';
const GROUP = 'rbac.authorization.k8s.io/v1';
const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };

export const BOOTSTRAP_CLUSTER_ROLES: BootstrapClusterRole[] = [...USER_FACING_ROLES, ...DISCOVERY_ROLES, ...COMPONENT_ROLES];

function roleObject(r: BootstrapClusterRole): KubeObject {
  const o: KubeObject & Record<string, unknown> = {
    apiVersion: GROUP,
    kind: 'ClusterRole',
    metadata: { name: r.name, labels: { ...BOOTSTRAP_LABELS, ...(r.labels ?? {}) }, annotations: { [AUTOUPDATE]: 'true' } },
    rules: r.rules,
  };
  if (r.aggregationRule) o.aggregationRule = r.aggregationRule;
  return o;
}

function bindingObject(b: BootstrapBinding): KubeObject {
  return {
    apiVersion: GROUP,
    kind: 'ClusterRoleBinding',
    metadata: { name: b.name, labels: { ...BOOTSTRAP_LABELS }, annotations: { [AUTOUPDATE]: 'true' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: b.role },
    subjects: b.subjects,
  } as KubeObject;
}

/** The role with the rules it lacks added; undefined when nothing is missing. */
function reconcileRole(cur: any, want: BootstrapClusterRole): KubeObject | undefined {
  let changed = false;
  const rules: PolicyRule[] = Array.isArray(cur.rules) ? [...cur.rules] : [];
  // An aggregated role's rules belong to the aggregation controller.
  if (!want.aggregationRule)
    for (const r of want.rules)
      if (!rules.some((have) => ruleCovers(have, r))) {
        rules.push(r);
        changed = true;
      }
  const labels = { ...(cur.metadata.labels ?? {}) };
  for (const [k, v] of Object.entries({ ...BOOTSTRAP_LABELS, ...(want.labels ?? {}) }))
    if (labels[k] !== v) {
      labels[k] = v;
      changed = true;
    }
  let aggregationRule = cur.aggregationRule;
  if (want.aggregationRule) {
    const sel = aggregationRule?.clusterRoleSelectors ?? [];
    const missing = want.aggregationRule.clusterRoleSelectors.filter((s) => !sel.some((h: any) => JSON.stringify(h) === JSON.stringify(s)));
    if (missing.length) {
      aggregationRule = { clusterRoleSelectors: [...sel, ...missing] };
      changed = true;
    }
  }
  if (!changed) return undefined;
  return { ...cur, metadata: { ...cur.metadata, labels }, rules, ...(aggregationRule ? { aggregationRule } : {}) };
}

function reconcileBinding(cur: any, want: BootstrapBinding): KubeObject | undefined {
  const subjects: any[] = Array.isArray(cur.subjects) ? [...cur.subjects] : [];
  let changed = false;
  for (const s of want.subjects)
    if (!subjects.some((h) => h?.kind === s.kind && h?.name === s.name && (h?.namespace ?? '') === (s.namespace ?? ''))) {
      subjects.push(s);
      changed = true;
    }
  return changed ? { ...cur, subjects } : undefined;
}

async function ensure(registry: Registry, resource: string, name: string, fresh: KubeObject, fix: (cur: any) => KubeObject | undefined): Promise<'created' | 'updated' | 'kept'> {
  for (let attempt = 0; attempt < 5; attempt++) {
    let cur: KubeObject;
    try {
      cur = await registry.get(resource, '', name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await registry.create(resource, '', structuredClone(fresh));
        return 'created';
      } catch (e) {
        if (isAlreadyExists(e)) continue;
        throw e;
      }
    }
    if (cur.metadata.annotations?.[AUTOUPDATE] !== 'true') return 'kept';
    const next = fix(cur);
    if (!next) return 'kept';
    try {
      await registry.update(resource, '', name, next);
      return 'updated';
    } catch (e) {
      if (isConflict(e)) continue;
      throw e;
    }
  }
  return 'kept';
}

/** Makes the bootstrap policy present; returns how many objects it created and updated. */
export async function reconcileBootstrapPolicy(registry: Registry, logger?: Logger): Promise<{ created: number; updated: number }> {
  let created = 0;
  let updated = 0;
  const count = (r: string) => {
    if (r === 'created') created++;
    if (r === 'updated') updated++;
  };
  for (const r of BOOTSTRAP_CLUSTER_ROLES) count(await ensure(registry, 'clusterroles', r.name, roleObject(r), (cur) => reconcileRole(cur, r)));
  for (const b of BOOTSTRAP_BINDINGS) count(await ensure(registry, 'clusterrolebindings', b.name, bindingObject(b), (cur) => reconcileBinding(cur, b)));
  logger?.info({ created, updated }, 'rbac bootstrap policy reconciled');
  return { created, updated };
}
