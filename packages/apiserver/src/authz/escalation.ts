// The RBAC escalation check of Kubernetes' rbac registry (registry/rbac/*/policybased and
// validation.ConfirmNoEscalation), as an admission plugin: writing a Role or ClusterRole
// needs every one of its rules to be held already (in that namespace) or the `escalate` verb
// on it; writing a binding needs the referenced role's rules or the `bind` verb on it.
// system:masters and the apiserver's own writes pass.
import { ApiError, failureStatus, notFound, type KubeObject } from '@k8ts/api';
import type { AdmissionPlugin, AdmissionRequest } from '../registry/admission.js';
import type { UserInfo } from '../auth/types.js';
import type { Attributes } from './types.js';
import { SYSTEM_MASTERS } from './chain.js';
import { compactRule, covers } from './rbac/coverage.js';
import type { PolicyRule } from './rbac/rules.js';

const GROUP = 'rbac.authorization.k8s.io';
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

export interface EscalationDeps {
  /** The whole authorizer chain's decision. */
  allowed(a: Attributes): boolean;
  /** The rules the user holds in the namespace ("" : cluster-wide). */
  rulesOf(user: UserInfo, namespace: string): PolicyRule[];
  /** The rules a roleRef names now; undefined when the role does not exist. */
  roleRules(kind: string, name: string, namespace: string): Promise<PolicyRule[] | undefined>;
}

function forbiddenRbac(resource: string, name: string, why: string): ApiError {
  const message = `${resource}.${GROUP} ${JSON.stringify(name)} is forbidden: ${why}`;
  return new ApiError(403, 'Forbidden', failureStatus(403, 'Forbidden', message, { name: name || undefined, group: GROUP, kind: resource }));
}

function verbAllowed(deps: EscalationDeps, user: UserInfo, verb: string, resource: string, namespace: string, name: string): boolean {
  return deps.allowed({ user, verb, resourceRequest: true, path: '', apiGroup: GROUP, apiVersion: 'v1', resource, subresource: '', namespace, name });
}

function confirmNoEscalation(deps: EscalationDeps, user: UserInfo, namespace: string, rules: PolicyRule[], resource: string, name: string): void {
  const { covered, missing } = covers(deps.rulesOf(user, namespace), rules);
  if (covered) return;
  const groups = `[${(user.groups ?? []).map((g) => JSON.stringify(g)).join(' ')}]`;
  throw forbiddenRbac(
    resource,
    name,
    `user ${JSON.stringify(user.name)} (groups=${groups}) is attempting to grant RBAC permissions not currently held:\n${missing.map(compactRule).join('\n')}`,
  );
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function checkRole(deps: EscalationDeps, req: AdmissionRequest, user: UserInfo): void {
  const obj = req.object as KubeObject & { rules?: PolicyRule[]; aggregationRule?: unknown };
  const old = req.oldObject as (KubeObject & { rules?: PolicyRule[]; aggregationRule?: unknown }) | undefined;
  if (old && same(old.rules, obj.rules) && same(old.aggregationRule, obj.aggregationRule)) return;
  if (verbAllowed(deps, user, 'escalate', req.resource, req.namespace, req.name)) return;
  if (req.resource === 'clusterroles' && obj.aggregationRule) {
    try {
      confirmNoEscalation(deps, user, '', FULL_AUTHORITY, req.resource, req.name);
    } catch {
      throw forbiddenRbac(req.resource, req.name, 'must have cluster-admin privileges to use the aggregationRule');
    }
    return;
  }
  confirmNoEscalation(deps, user, req.namespace, Array.isArray(obj.rules) ? obj.rules : [], req.resource, req.name);
}

async function checkBinding(deps: EscalationDeps, req: AdmissionRequest, user: UserInfo): Promise<void> {
  const obj = req.object as KubeObject & { roleRef?: { kind?: string; name?: string }; subjects?: unknown };
  const old = req.oldObject as (KubeObject & { roleRef?: unknown; subjects?: unknown }) | undefined;
  if (old && same(old.roleRef, obj.roleRef) && same(old.subjects, obj.subjects)) return;
  const kind = obj.roleRef?.kind ?? '';
  const roleName = obj.roleRef?.name ?? '';
  const roleResource = kind === 'Role' ? 'roles' : 'clusterroles';
  if (verbAllowed(deps, user, 'bind', roleResource, req.namespace, roleName)) return;
  const rules = await deps.roleRules(kind, roleName, req.namespace);
  if (!rules) throw notFound(roleResource, roleName);
  confirmNoEscalation(deps, user, req.namespace, rules, req.resource, req.name);
}

export function escalationCheck(deps: EscalationDeps): AdmissionPlugin {
  return {
    name: 'RBACEscalation',
    async validate(req) {
      const user = req.user;
      if (!user || req.operation === 'DELETE' || req.subresource) return;
      if ((user.groups ?? []).includes(SYSTEM_MASTERS)) return;
      if (req.resource === 'roles' || req.resource === 'clusterroles') checkRole(deps, req, user);
      else if (req.resource === 'rolebindings' || req.resource === 'clusterrolebindings') await checkBinding(deps, req, user);
    },
  };
}
