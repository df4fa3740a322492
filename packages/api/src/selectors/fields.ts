// Field selectors (`?fieldSelector=`, `kubectl --field-selector`): the `=`, `==`, `!=`
// grammar of k8s.io/apimachinery/pkg/fields, with its backslash escapes, and the fields
// each resource exposes (the GetAttrs / field label conversion functions of the registry).
import type { KubeObject } from '../types.js';
import { findResource } from '../resources.js';
import { SelectorError } from '../errors.js';

export type FieldOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  field: string;
  operator: FieldOperator;
  value: string;
}

export interface FieldSelectorMatcher {
  readonly requirements: readonly FieldRequirement[];
  readonly empty: boolean;
  /** Matches a field set as `fieldsOf` builds it; a missing field counts as "". */
  matches(fields: Record<string, string>): boolean;
  toString(): string;
}

const escapeRe = /[\\,=]/g;
export function escapeFieldValue(v: string): string {
  return v.replace(escapeRe, (c) => `\\${c}`);
}

function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
    } else if (c === ',') {
      terms.push(cur);
      cur = '';
    } else cur += c;
  }
  terms.push(cur);
  return terms;
}

function unescape(v: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '\\') {
      const n = v[i + 1];
      if (n === undefined || !'\\,='.includes(n)) throw new SelectorError(`invalid field selector value: ${JSON.stringify(v)}: invalid escape sequence`);
      out += n;
      i++;
    } else if (c === ',' || c === '=') {
      throw new SelectorError(`invalid field selector value: ${JSON.stringify(v)}: unescaped ${c}`);
    } else out += c;
  }
  return out;
}

function parseTerm(term: string): FieldRequirement {
  // The operator is the first unescaped `!=`, `==` or `=`.
  for (let i = 0; i < term.length; i++) {
    const c = term[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    let op: FieldOperator | undefined;
    if (term.startsWith('!=', i)) op = '!=';
    else if (term.startsWith('==', i)) op = '==';
    else if (c === '=') op = '=';
    if (op) {
      const field = term.slice(0, i).trim();
      const value = unescape(term.slice(i + op.length).trim());
      if (!field) throw new SelectorError(`invalid selector: '${term}'; can't understand '${term}'`);
      return { field, operator: op, value };
    }
  }
  throw new SelectorError(`invalid selector: '${term}'; can't understand '${term}'`);
}

export function fieldMatcherOf(reqs: FieldRequirement[]): FieldSelectorMatcher {
  return {
    requirements: reqs,
    empty: reqs.length === 0,
    matches(fields) {
      return reqs.every((r) => {
        const v = fields[r.field] ?? '';
        return r.operator === '!=' ? v !== r.value : v === r.value;
      });
    },
    toString() {
      return reqs.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
    },
  };
}

/**
 * Parses `a=b,c!=d`. With `resource`, every field must be one that resource supports, or a
 * SelectorError `field label not supported: <f>` is thrown (the apiserver's 400).
 */
export function parseFieldSelector(s: string | undefined | null, resource?: string): FieldSelectorMatcher {
  const reqs: FieldRequirement[] = [];
  if (s != null && s.trim() !== '') {
    for (const term of splitTerms(s)) {
      if (term.trim() === '') continue;
      reqs.push(parseTerm(term));
    }
  }
  if (resource !== undefined) validateFieldSelector(resource, reqs);
  return fieldMatcherOf(reqs);
}

export function validateFieldSelector(resource: string, reqs: readonly FieldRequirement[]): void {
  const supported = supportedFields(resource);
  for (const r of reqs) if (!supported.includes(r.field)) throw new SelectorError(`field label not supported: ${r.field}`);
}

const perResource: Record<string, string[]> = {
  pods: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.podIPs',
    'status.nominatedNodeName',
  ],
  events: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  nodes: ['spec.unschedulable'],
  secrets: ['type'],
  namespaces: ['status.phase'],
  jobs: ['status.successful'],
  replicasets: ['status.replicas'],
  services: ['spec.clusterIP', 'spec.type'],
};

function isNamespaced(resource: string): boolean {
  return findResource(resource)?.namespaced ?? true;
}

/** The field labels a resource can be selected by. */
export function supportedFields(resource: string): string[] {
  // Cluster-scoped resources only have metadata.name (DefaultClusterScopedAttr).
  const base = isNamespaced(resource) ? ['metadata.name', 'metadata.namespace'] : ['metadata.name'];
  return [...base, ...(perResource[resource] ?? findResource(resource)?.custom?.selectableFields ?? [])];
}

/** A custom resource's selectableFields: each path's scalar value as text. */
function customFields(resource: string, obj: KubeObject, f: Record<string, string>): void {
  for (const field of findResource(resource)?.custom?.selectableFields ?? []) {
    let v: unknown = obj;
    for (const k of field.split('.')) v = v && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, k) ? (v as Record<string, unknown>)[k] : undefined;
    f[field] = str(v);
  }
}

/** A field's value as text; a value of the wrong type (a list, a map) selects as "". */
function str(v: unknown): string {
  return v == null || typeof v === 'object' ? '' : String(v);
}

/** v when it is a JSON object, else an empty one: stored objects of any shape are read safely. */
function record(v: unknown): Record<string, any> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, any>) : {};
}

function podIPs(status: Record<string, any>): string[] {
  const ips: unknown[] = Array.isArray(status.podIPs) ? status.podIPs : [];
  return ips.map((p) => str(record(p).ip));
}

/**
 * The field set of an object, as Kubernetes' per-resource GetAttrs functions build it. It
 * never throws: an object with fields of the wrong types (one stored before validation
 * caught them) gets "" for those, so one such object cannot fail a whole selected list.
 */
export function fieldsOf(resource: string, obj: KubeObject): Record<string, string> {
  const o = record(obj);
  const m = record(o.metadata);
  const f: Record<string, string> = { 'metadata.name': str(m.name) };
  if (isNamespaced(resource)) f['metadata.namespace'] = str(m.namespace);
  const spec = record(o.spec);
  const status = record(o.status);
  if (!perResource[resource]) customFields(resource, obj, f);
  switch (resource) {
    case 'pods':
      f['spec.nodeName'] = str(spec.nodeName);
      f['spec.restartPolicy'] = str(spec.restartPolicy);
      f['spec.schedulerName'] = str(spec.schedulerName);
      f['spec.serviceAccountName'] = str(spec.serviceAccountName);
      f['spec.hostNetwork'] = String(Boolean(spec.hostNetwork));
      f['status.phase'] = str(status.phase);
      // Kubernetes selects on the first IP for status.podIP and on all of them joined for podIPs.
      f['status.podIP'] = str(status.podIP ?? podIPs(status)[0]);
      f['status.podIPs'] = podIPs(status).join(',');
      f['status.nominatedNodeName'] = str(status.nominatedNodeName);
      break;
    case 'events': {
      const io = record(o.involvedObject);
      for (const k of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'])
        f[`involvedObject.${k}`] = str(io[k]);
      f['reason'] = str(o.reason);
      f['reportingComponent'] = str(o.reportingComponent);
      f['source'] = str(record(o.source).component || o.reportingComponent);
      f['type'] = str(o.type);
      break;
    }
    case 'nodes':
      f['spec.unschedulable'] = String(Boolean(spec.unschedulable));
      break;
    case 'secrets':
      f['type'] = str(o.type);
      break;
    case 'namespaces':
      f['status.phase'] = str(status.phase);
      break;
    case 'jobs':
      f['status.successful'] = str(status.succeeded ?? 0);
      break;
    case 'replicasets':
      f['status.replicas'] = str(status.replicas ?? 0);
      break;
    case 'services':
      f['spec.clusterIP'] = str(spec.clusterIP);
      f['spec.type'] = str(spec.type);
      break;
  }
  return f;
}

/** Convenience: does `obj` of `resource` pass the field selector? */
export function matchesFields(sel: FieldSelectorMatcher, resource: string, obj: KubeObject): boolean {
  return sel.empty || sel.matches(fieldsOf(resource, obj));
}
