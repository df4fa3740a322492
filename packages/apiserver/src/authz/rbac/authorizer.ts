// The RBAC authorizer (kube-apiserver's --authorization-mode=RBAC): Allow when a rule of a
// role bound to the user, one of its groups, or (ServiceAccount subjects) its service
// account user allows the request; NoOpinion otherwise (RBAC never denies). Also the
// RuleResolver SelfSubjectRulesReview and the escalation check read.
import type { UserInfo } from '../../auth/types.js';
import type { Attributes, AuthorizationResult, Authorizer, NonResourceRule, ResourceRule, RuleResolver } from '../types.js';
import type { BindingEntry, RbacCache } from './cache.js';
import { rulesAllow, type PolicyRule } from './rules.js';

const NO_OPINION: AuthorizationResult = { decision: 'NoOpinion', reason: '' };

/** Calls visit on every binding that applies to the user in `namespace` ("" : cluster bindings only); stops when visit returns true. */
export function visitBindings(cache: RbacCache, user: UserInfo, namespace: string, visit: (b: BindingEntry, subjectKey: string) => boolean): boolean {
  const one = (key: string): boolean => {
    const bindings = cache.bindingsFor(key);
    if (!bindings) return false;
    for (const b of bindings) {
      if (b.namespace !== '' && b.namespace !== namespace) continue;
      if (visit(b, key)) return true;
    }
    return false;
  };
  if (one(`u:${user.name}`)) return true;
  for (const g of user.groups ?? []) if (one(`g:${g}`)) return true;
  return false;
}

/** Every rule the user holds in `namespace` (cluster-wide ones included). */
export function rulesOfUser(cache: RbacCache, user: UserInfo, namespace: string): PolicyRule[] {
  const out: PolicyRule[] = [];
  visitBindings(cache, user, namespace, (b) => {
    const rules = cache.rulesOf(b);
    if (rules) out.push(...rules);
    return false;
  });
  return out;
}

/** The subject a binding matched, as rbac's describeSubject words it: User "u", Group "g", ServiceAccount "name/namespace". */
function describeSubject(key: string): string {
  const name = key.slice(2);
  if (key.startsWith('g:')) return `Group ${JSON.stringify(name)}`;
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(name);
  return sa ? `ServiceAccount ${JSON.stringify(`${sa[2]}/${sa[1]}`)}` : `User ${JSON.stringify(name)}`;
}

export class RbacAuthorizer implements Authorizer, RuleResolver {
  readonly name = 'RBAC';

  constructor(private readonly cache: RbacCache) {}

  authorize(a: Attributes): AuthorizationResult {
    let by: BindingEntry | undefined;
    let subject = '';
    const allowed = visitBindings(this.cache, a.user, a.namespace, (b, key) => {
      if (!rulesAllow(a, this.cache.rulesOf(b))) return false;
      by = b;
      subject = key;
      return true;
    });
    if (!allowed || !by) return NO_OPINION;
    const [resource, ns, name] = by.key.split('/');
    const binding = resource === 'rolebindings' ? `RoleBinding "${name}/${ns}"` : `ClusterRoleBinding "${name}"`;
    return { decision: 'Allow', reason: `RBAC: allowed by ${binding} of ${by.roleKind} "${by.roleName}" to ${describeSubject(subject)}` };
  }

  rulesFor(user: UserInfo, namespace: string): { resourceRules: ResourceRule[]; nonResourceRules: NonResourceRule[]; incomplete: boolean } {
    const resourceRules: ResourceRule[] = [];
    const nonResourceRules: NonResourceRule[] = [];
    for (const r of rulesOfUser(this.cache, user, namespace)) {
      if (r.nonResourceURLs?.length) nonResourceRules.push({ verbs: [...r.verbs], nonResourceURLs: [...r.nonResourceURLs] });
      if (r.resources?.length || r.apiGroups?.length) {
        const rule: ResourceRule = { verbs: [...r.verbs], apiGroups: [...(r.apiGroups ?? [])], resources: [...(r.resources ?? [])] };
        if (r.resourceNames?.length) rule.resourceNames = [...r.resourceNames];
        resourceRules.push(rule);
      }
    }
    return { resourceRules, nonResourceRules, incomplete: false };
  }
}
