// A decision table standing in for the authorizer chain in tests of the reviews and of
// impersonation: rows grant (or deny) verbs on resources or non-resource URLs to users and
// groups, cluster-wide or in one namespace. It decides like RBAC (first deny wins, then any
// allow, else no opinion) and lists its rules for SelfSubjectRulesReview.
import type { Attributes, AuthorizationResult, Authorizer, NonResourceRule, ResourceRule, RuleResolver } from '../authz/types.js';
import type { UserInfo } from '../auth/types.js';

export interface TableRow {
  /** User names, and groups as `group:<name>`. */
  subjects: string[];
  verbs: string[];
  apiGroups?: string[];
  /** Plurals, `pods/log` for a subresource, or `*`. */
  resources?: string[];
  resourceNames?: string[];
  /** Only in this namespace; absent: every namespace and the cluster scope. */
  namespace?: string;
  nonResourceURLs?: string[];
  deny?: boolean;
}

const has = (list: string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));

function subjectMatches(row: TableRow, user: UserInfo): boolean {
  return row.subjects.includes(user.name) || user.groups.some((g) => row.subjects.includes(`group:${g}`));
}

function urlMatches(patterns: string[], path: string): boolean {
  return patterns.some((p) => p === '*' || p === path || (p.endsWith('*') && path.startsWith(p.slice(0, -1))));
}

function rowMatches(row: TableRow, a: Attributes): boolean {
  if (!subjectMatches(row, a.user) || !has(row.verbs, a.verb)) return false;
  if (!a.resourceRequest) return !!row.nonResourceURLs && urlMatches(row.nonResourceURLs, a.path);
  if (!row.resources) return false;
  if (row.namespace !== undefined && row.namespace !== a.namespace) return false;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  if (!has(row.apiGroups ?? [''], a.apiGroup) || !has(row.resources, resource)) return false;
  return !row.resourceNames?.length || row.resourceNames.includes(a.name);
}

export function tableAuthorizer(rows: TableRow[]): Authorizer & RuleResolver {
  return {
    name: 'Table',
    authorize(a: Attributes): AuthorizationResult {
      const denied = rows.findIndex((r) => r.deny && rowMatches(r, a));
      if (denied >= 0) return { decision: 'Deny', reason: `denied by row ${denied}` };
      const allowed = rows.findIndex((r) => !r.deny && rowMatches(r, a));
      if (allowed >= 0) return { decision: 'Allow', reason: `allowed by row ${allowed}` };
      return { decision: 'NoOpinion', reason: '' };
    },
    rulesFor(user: UserInfo, namespace: string) {
      const resourceRules: ResourceRule[] = [];
      const nonResourceRules: NonResourceRule[] = [];
      for (const r of rows) {
        if (r.deny || !subjectMatches(r, user)) continue;
        if (r.nonResourceURLs) nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs });
        if (r.resources && (r.namespace === undefined || r.namespace === namespace)) {
          resourceRules.push({ verbs: r.verbs, apiGroups: r.apiGroups ?? [''], resources: r.resources, ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}) });
        }
      }
      return { resourceRules, nonResourceRules, incomplete: false };
    },
  };
}
