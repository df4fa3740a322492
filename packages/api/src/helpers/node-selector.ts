// Node selectors as the scheduler and the DaemonSet controller read them (component-helpers'
// nodeaffinity): spec.nodeSelector (every label equal) and NodeSelectorTerms (ORed terms of
// ANDed requirements, operators In, NotIn, Exists, DoesNotExist, Gt, Lt on labels, In/NotIn
// on the metadata.name field). Compiled once per pod.
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodSpec } from '../types.js';

/** What a node selector looks at: the node's name and labels. */
export interface NodeLabels {
  name: string;
  labels: Record<string, string>;
}

export type NodeMatcher = (node: NodeLabels) => boolean;

export function nodeLabelsOf(node: Node): NodeLabels {
  return { name: node.metadata?.name ?? '', labels: node.metadata?.labels ?? {} };
}

const INT = /^[+-]?\d+$/;

function labelRequirement(r: NodeSelectorRequirement, path: string): NodeMatcher {
  const key = r.key;
  const values = r.values ?? [];
  if (!key) throw new Error(`${path}.key: Required value`);
  switch (r.operator) {
    case 'In':
    case 'NotIn': {
      if (values.length === 0) throw new Error(`${path}.values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`);
      const set = new Set(values);
      return r.operator === 'In'
        ? (n) => {
            const v = n.labels[key];
            return v !== undefined && set.has(v);
          }
        : (n) => {
            const v = n.labels[key];
            return v === undefined || !set.has(v);
          };
    }
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) throw new Error(`${path}.values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`);
      return r.operator === 'Exists' ? (n) => n.labels[key] !== undefined : (n) => n.labels[key] === undefined;
    case 'Gt':
    case 'Lt': {
      if (values.length !== 1 || !INT.test(values[0]!))
        throw new Error(`${path}.values: Invalid value: ${JSON.stringify(values)}: must be specified single value when \`operator\` is 'Lt' or 'Gt'`);
      const bound = Number(values[0]);
      const gt = r.operator === 'Gt';
      return (n) => {
        const v = n.labels[key];
        if (v === undefined || !INT.test(v)) return false;
        return gt ? Number(v) > bound : Number(v) < bound;
      };
    }
    default:
      throw new Error(`${path}.operator: Unsupported value: ${JSON.stringify(r.operator)}: supported values: "DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"`);
  }
}

function fieldRequirement(r: NodeSelectorRequirement, path: string): NodeMatcher {
  if (r.key !== 'metadata.name') throw new Error(`${path}.key: Invalid value: ${JSON.stringify(r.key)}: not a valid field selector key`);
  const values = r.values ?? [];
  if (r.operator !== 'In' && r.operator !== 'NotIn')
    throw new Error(`${path}.operator: Invalid value: ${JSON.stringify(r.operator)}: not a valid selector operator`);
  if (values.length !== 1) throw new Error(`${path}.values: Required value: must be only one value when \`operator\` is 'In' or 'NotIn' for node field selector`);
  const name = values[0];
  return r.operator === 'In' ? (n) => n.name === name : (n) => n.name !== name;
}

/** One term: all its requirements. A term with no requirement matches no node. */
export function compileNodeSelectorTerm(term: NodeSelectorTerm, path: string): NodeMatcher {
  const reqs: NodeMatcher[] = [];
  (term.matchExpressions ?? []).forEach((r, i) => reqs.push(labelRequirement(r, `${path}.matchExpressions[${i}]`)));
  (term.matchFields ?? []).forEach((r, i) => reqs.push(fieldRequirement(r, `${path}.matchFields[${i}]`)));
  if (reqs.length === 0) return () => false;
  if (reqs.length === 1) return reqs[0]!;
  return (n) => {
    for (const r of reqs) if (!r(n)) return false;
    return true;
  };
}

/** Terms ORed. */
export function compileNodeSelectorTerms(terms: readonly NodeSelectorTerm[], path: string): NodeMatcher {
  const compiled = terms.map((t, i) => compileNodeSelectorTerm(t, `${path}[${i}]`));
  return (n) => {
    for (const t of compiled) if (t(n)) return true;
    return false;
  };
}

/**
 * The pod's hard node requirements: spec.nodeSelector AND required node affinity. Undefined
 * when it has none. Throws on bad input (unknown operator, bad Gt/Lt value).
 */
export function requiredNodeMatcher(pod: Pod | { spec?: PodSpec }): NodeMatcher | undefined {
  const parts: NodeMatcher[] = [];
  const sel = Object.entries(pod.spec?.nodeSelector ?? {});
  if (sel.length) {
    parts.push((n) => {
      for (const [k, v] of sel) if (n.labels[k] !== v) return false;
      return true;
    });
  }
  const req = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (req) parts.push(compileNodeSelectorTerms(req.nodeSelectorTerms ?? [], 'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms'));
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  return (n) => parts[0]!(n) && parts[1]!(n);
}

/**
 * Does the node fit the pod spec's nodeSelector and required node affinity? A selector that
 * does not compile fits no node (as the DaemonSet controller reads a Match error).
 */
export function nodeFitsRequired(spec: PodSpec | undefined, node: NodeLabels): boolean {
  let m: NodeMatcher | undefined;
  try {
    m = requiredNodeMatcher({ spec });
  } catch {
    return false;
  }
  return m ? m(node) : true;
}
