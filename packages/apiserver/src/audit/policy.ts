// audit.k8s.io/v1 Policy: the first rule that matches a request decides its level. k8ts
// records None and Metadata; Request and RequestResponse are recorded at Metadata (bodies
// are not kept), which the apiserver says at start.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
const LEVELS: AuditLevel[] = ['None', 'Metadata', 'Request', 'RequestResponse'];

export interface GroupResources {
  group?: string;
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: AuditLevel;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
}

export interface AuditPolicy {
  rules: PolicyRule[];
}

export interface AuditAttributes {
  user: { name: string; groups: string[] };
  verb: string;
  resourceRequest: boolean;
  path: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

/** With --audit-log-path and no policy file: every request at Metadata. */
export const METADATA_FOR_ALL: AuditPolicy = { rules: [{ level: 'Metadata' }] };

export function parsePolicy(text: string): AuditPolicy {
  const doc = parse(text) as { apiVersion?: string; kind?: string; rules?: unknown } | null;
  if (!doc || doc.kind !== 'Policy' || !/^audit\.k8s\.io\/v1/.test(doc.apiVersion ?? '')) throw new Error('audit policy: expected kind Policy, apiVersion audit.k8s.io/v1');
  if (!Array.isArray(doc.rules) || doc.rules.length === 0) throw new Error('audit policy: rules must be a non-empty list');
  const rules = doc.rules.map((r: any, i: number): PolicyRule => {
    if (!LEVELS.includes(r?.level)) throw new Error(`audit policy: rules[${i}].level must be one of ${LEVELS.join(', ')}`);
    if (r.nonResourceURLs && (r.resources || r.namespaces)) throw new Error(`audit policy: rules[${i}] may not mix nonResourceURLs with resources or namespaces`);
    for (const k of ['users', 'userGroups', 'verbs', 'namespaces', 'nonResourceURLs'])
      if (r[k] !== undefined && !(Array.isArray(r[k]) && r[k].every((x: unknown) => typeof x === 'string'))) throw new Error(`audit policy: rules[${i}].${k} must be a list of strings`);
    return r as PolicyRule;
  });
  return { rules };
}

export function loadPolicy(path: string): AuditPolicy {
  return parsePolicy(readFileSync(path, 'utf8'));
}

// Patterns: pods (no subresource), pods/log, pods/<any> written with a star (every subresource of
// pods), a lone star (anything), star/scale (that subresource of any resource).
function resourceMatches(pattern: string, resource: string, subresource: string, full: string): boolean {
  if (pattern === '*' || pattern === full) return true;
  if (pattern.endsWith('/*')) return !!subresource && pattern.slice(0, -2) === resource;
  if (pattern.startsWith('*/')) return pattern.slice(2) === subresource;
  return false;
}

function matchesResource(rule: PolicyRule, a: AuditAttributes): boolean {
  if (!rule.resources) return true;
  const full = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return rule.resources.some((gr) => {
    if ((gr.group ?? '') !== a.apiGroup) return false;
    if (gr.resources?.length && !gr.resources.some((r) => resourceMatches(r, a.resource, a.subresource, full))) return false;
    return !gr.resourceNames?.length || gr.resourceNames.includes(a.name);
  });
}

function matchesPath(patterns: string[], path: string): boolean {
  return patterns.some((p) => p === path || p === '*' || (p.endsWith('*') && path.startsWith(p.slice(0, -1))));
}

export function levelFor(policy: AuditPolicy, a: AuditAttributes): AuditLevel {
  for (const r of policy.rules) {
    if (r.users && !r.users.includes(a.user.name)) continue;
    if (r.userGroups && !r.userGroups.some((g) => a.user.groups.includes(g))) continue;
    if (r.verbs && !r.verbs.includes(a.verb)) continue;
    if (a.resourceRequest) {
      if (r.nonResourceURLs) continue;
      if (r.namespaces && !r.namespaces.includes(a.namespace)) continue;
      if (!matchesResource(r, a)) continue;
    } else {
      if (r.resources || r.namespaces) continue;
      if (r.nonResourceURLs && !matchesPath(r.nonResourceURLs, a.path)) continue;
    }
    return r.level;
  }
  return 'None';
}
