// SelfSubjectRulesReview (`kubectl auth can-i --list`): what the caller may do in one
// namespace, from the rule resolver; `incomplete` when the resolver could not list all.
import type { KubeObject } from '@k8ts/api';
import type { UserInfo } from '../auth/types.js';
import type { NonResourceRule, ResourceRule, RuleResolver } from '../authz/types.js';
import { badRequest } from '../registry/errors.js';
import { requireUser } from './access-reviews.js';

function resourceRule(r: ResourceRule): ResourceRule {
  const out: ResourceRule = { verbs: [...r.verbs], apiGroups: [...r.apiGroups], resources: [...r.resources] };
  if (r.resourceNames?.length) out.resourceNames = [...r.resourceNames];
  return out;
}

function nonResourceRule(r: NonResourceRule): NonResourceRule {
  return { verbs: [...r.verbs], nonResourceURLs: [...r.nonResourceURLs] };
}

export function selfSubjectRulesReview(rulesFor: RuleResolver['rulesFor']) {
  return (obj: KubeObject, _ns: string, caller: UserInfo | undefined): KubeObject => {
    const user = requireUser(caller);
    const namespace = (obj as { spec?: { namespace?: string } }).spec?.namespace ?? '';
    if (!namespace) throw badRequest('no namespace on request');
    let status: Record<string, unknown>;
    try {
      const rules = rulesFor(user, namespace);
      status = {
        resourceRules: rules.resourceRules.map(resourceRule),
        nonResourceRules: rules.nonResourceRules.map(nonResourceRule),
        incomplete: rules.incomplete,
      };
      if (rules.evaluationError) status.evaluationError = rules.evaluationError;
    } catch (err) {
      status = { resourceRules: [], nonResourceRules: [], incomplete: true, evaluationError: (err as Error)?.message ?? String(err) };
    }
    // Upstream answers a new object: the spec is not echoed.
    return { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { creationTimestamp: null }, spec: {}, status } as unknown as KubeObject;
  };
}
