// audit.k8s.io/v1 Policy: the first rule that matches a request decides its level, the
// stages left out (the policy's omitStages plus the rule's) and whether managedFields are
// left out of the bodies that Request and RequestResponse keep (the rule's omitManagedFields
// when it says, else the policy's).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
const LEVELS: AuditLevel[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';
const STAGES: AuditStage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

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
  omitStages?: AuditStage[];
  omitManagedFields?: boolean;
}

export interface AuditPolicy {
  rules: PolicyRule[];
  omitStages?: AuditStage[];
  omitManagedFields?: boolean;
}

/** What the policy decides for one request. */
export interface AuditRuleDecision {
  level: AuditLevel;
  omitStages: readonly AuditStage[];
  omitManagedFields: boolean;
}

export interface AuditAttributes {
  /** The authenticated user; absent for a request that failed authentication (no users/userGroups rule matches it). */
  user?: { name: string; groups: string[] };
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
  const doc = parse(text) as { apiVersion?: string; kind?: string; rules?: unknown; omitStages?: unknown; omitManagedFields?: unknown } | null;
  if (!doc || doc.kind !== 'Policy' || !/^audit\.k8s\.io\/v1/.test(doc.apiVersion ?? '')) throw new Error('audit policy: expected kind Policy, apiVersion audit.k8s.io/v1');
  if (!Array.isArray(doc.rules) || doc.rules.length === 0) throw new Error('audit policy: rules must be a non-empty list');
  const rules = doc.rules.map((r: any, i: number): PolicyRule => {
    if (!LEVELS.includes(r?.level)) throw new Error(`audit policy: rules[${i}].level must be one of ${LEVELS.join(', ')}`);
    if (r.nonResourceURLs && (r.resources || r.namespaces)) throw new Error(`audit policy: rules[${i}] may not mix nonResourceURLs with resources or namespaces`);
    for (const k of ['users', 'userGroups', 'verbs', 'namespaces', 'nonResourceURLs'])
      if (r[k] !== undefined && !(Array.isArray(r[k]) && r[k].every((x: unknown) => typeof x === 'string'))) throw new Error(`audit policy: rules[${i}].${k} must be a list of strings`);
    checkStages(r.omitStages, `rules[${i}].omitStages`);
    checkBoolean(r.omitManagedFields, `rules[${i}].omitManagedFields`);
    return r as PolicyRule;
  });
  checkStages(doc.omitStages, 'omitStages');
  checkBoolean(doc.omitManagedFields, 'omitManagedFields');
  return { rules, ...(doc.omitStages ? { omitStages: doc.omitStages as AuditStage[] } : {}), ...(doc.omitManagedFields ? { omitManagedFields: true } : {}) };
}

function checkBoolean(v: unknown, where: string): void {
  if (v !== undefined && v !== null && typeof v !== 'boolean') throw new Error(`audit policy: ${where} must be true or false`);
}

function checkStages(v: unknown, where: string): void {
  if (v === undefined || v === null) return;
  if (!Array.isArray(v) || !v.every((s) => STAGES.includes(s))) throw new Error(`audit policy: ${where} must be a list of ${STAGES.join(', ')}`);
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

function ruleMatches(r: PolicyRule, a: AuditAttributes): boolean {
  if (r.users && !(a.user && r.users.includes(a.user.name))) return false;
  if (r.userGroups && !(a.user && r.userGroups.some((g) => a.user!.groups.includes(g)))) return false;
  if (r.verbs && !r.verbs.includes(a.verb)) return false;
  if (a.resourceRequest) {
    if (r.nonResourceURLs) return false;
    if (r.namespaces && !r.namespaces.includes(a.namespace)) return false;
    return matchesResource(r, a);
  }
  if (r.resources || r.namespaces) return false;
  return !r.nonResourceURLs || matchesPath(r.nonResourceURLs, a.path);
}

const NO_STAGES: readonly AuditStage[] = [];
const NONE: AuditRuleDecision = { level: 'None', omitStages: NO_STAGES, omitManagedFields: false };
// One decision object per rule, made on first use: a request allocates nothing to learn it.
const decisions = new WeakMap<PolicyRule, AuditRuleDecision>();

/** The level, omitted stages and omitManagedFields of the first matching rule; None when no rule matches. */
export function ruleFor(policy: AuditPolicy, a: AuditAttributes): AuditRuleDecision {
  for (const r of policy.rules) {
    if (!ruleMatches(r, a)) continue;
    let d = decisions.get(r);
    if (!d) {
      const omit = r.omitStages || policy.omitStages ? [...(policy.omitStages ?? []), ...(r.omitStages ?? [])] : NO_STAGES;
      decisions.set(r, (d = { level: r.level, omitStages: omit, omitManagedFields: r.omitManagedFields ?? policy.omitManagedFields ?? false }));
    }
    return d;
  }
  return NONE;
}

export function levelFor(policy: AuditPolicy, a: AuditAttributes): AuditLevel {
  return ruleFor(policy, a).level;
}
