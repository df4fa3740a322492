// The ClusterRole aggregation controller (pkg/controller/clusterroleaggregation): a
// ClusterRole with an aggregationRule gets as its rules the rules of every other ClusterRole
// a clusterRoleSelector matches (in name order, each rule once). Any ClusterRole change
// requeues the aggregated ones, since a labelled role may have joined or left.
import type { KubeObject } from '@k8ts/api';
import { deepCopy, labelSelectorFromObject, type LabelSelector } from '@k8ts/api';
import { isConflict, isNotFound } from '@k8ts/client';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';

type ClusterRole = KubeObject & { rules?: unknown[]; aggregationRule?: { clusterRoleSelectors?: LabelSelector[] } };

/** The rules the aggregated role should hold, from the roles its selectors match. */
export function aggregatedRules(role: ClusterRole, all: readonly ClusterRole[]): unknown[] {
  const selectors = (role.aggregationRule?.clusterRoleSelectors ?? []).map((s) => labelSelectorFromObject(s));
  const matched = all
    .filter((r) => r.metadata.name !== role.metadata.name && selectors.some((s) => s.matches(r.metadata.labels)))
    .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
  const out: unknown[] = [];
  const seen = new Set<string>();
  for (const r of matched)
    for (const rule of r.rules ?? []) {
      const key = JSON.stringify(rule);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(rule);
    }
  return out;
}

export class ClusterRoleAggregationController {
  static readonly controllerName = 'clusterrole-aggregation';

  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: { clusterroles: Lister<ClusterRole> },
    private readonly queue: Queue,
  ) {}

  /** Any change may alter an aggregation: requeue every aggregated role. */
  onClusterRole = () => {
    for (const r of this.listers.clusterroles.list()) if (r.aggregationRule) this.queue.add(r.metadata.name!);
  };

  async sync(name: string): Promise<void> {
    const role = this.listers.clusterroles.get('', name);
    if (!role?.aggregationRule) return;
    const rules = aggregatedRules(role, this.listers.clusterroles.list());
    if (JSON.stringify(rules) === JSON.stringify(role.rules ?? [])) return;
    const next = deepCopy(role);
    next.rules = rules;
    try {
      await this.ctx.client.update('clusterroles', next);
      this.ctx.logger.info({ clusterrole: name, rules: rules.length }, 'aggregated clusterrole rules');
    } catch (e) {
      // A newer version will arrive through the informer and requeue it.
      if (isNotFound(e) || isConflict(e)) return;
      throw e;
    }
  }
}
