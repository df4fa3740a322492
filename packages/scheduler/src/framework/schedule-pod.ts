// One scheduling decision (schedulePod in kube-scheduler): PreFilter, Filter over the nodes
// until enough feasible ones are found, PreScore and Score over those, pick the best.
import type { CycleState } from './cycle-state.js';
import { FitError, NoNodesError, PluginError } from './fit-error.js';
import type { Framework } from './framework.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type { Snapshot } from './snapshot.js';
import { Code, type Status } from './status.js';

export interface ScheduleResult {
  node: string;
  /** The cycle's state, which PreBind plugins read. */
  state: CycleState;
  evaluatedNodes: number;
  feasibleNodes: number;
}

const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/**
 * How many feasible nodes are enough (numFeasibleNodesToFind): all of them on small clusters,
 * an adaptive share on large ones (50% minus 1% per 125 nodes, at least 5% and 100 nodes).
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND || percentageOfNodesToScore >= 100) return numAllNodes;
  let pct = percentageOfNodesToScore;
  if (pct <= 0) {
    pct = 50 - Math.floor(numAllNodes / 125);
    if (pct < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) pct = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.floor((numAllNodes * pct) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

export class PodScheduler {
  /** Filtering starts where the previous cycle stopped, so load spreads over all nodes. */
  private nextStartNodeIndex = 0;

  constructor(
    private readonly fwk: Framework,
    private readonly opts: { percentageOfNodesToScore?: number; random?: () => number } = {},
  ) {}

  /** Throws NoNodesError, FitError (fits nowhere) or PluginError (bad input, plugin failure). */
  schedule(snapshot: Snapshot, pod: PodInfo): ScheduleResult {
    const nodes = snapshot.nodes;
    if (nodes.length === 0) throw new NoNodesError();
    if (pod.parseError) throw new PluginError('PodInfo', 'PreFilter', pod.parseError);
    const state = this.fwk.newCycleState();
    const pre = this.fwk.runPreFilter(state, pod, snapshot);
    if (pre.code !== Code.Success) {
      const all = new Map<string, Status>();
      for (const n of nodes) all.set(n.name, pre);
      throw new FitError(nodes.length, all, pre);
    }

    const n = nodes.length;
    const want = numFeasibleNodesToFind(n, this.opts.percentageOfNodesToScore);
    const feasible: NodeInfo[] = [];
    let statuses: Map<string, Status> | undefined;
    const start = this.nextStartNodeIndex % n;
    const filters = this.fwk.activeFilters(state);
    let i = 0;
    for (; i < n && feasible.length < want; i++) {
      let j = start + i;
      if (j >= n) j -= n;
      const ni = nodes[j]!;
      const s = this.fwk.runFilter(state, pod, ni, filters);
      if (s.code === Code.Success) feasible.push(ni);
      else (statuses ??= new Map()).set(ni.name, s);
    }
    this.nextStartNodeIndex = (start + i) % n;
    if (feasible.length === 0) throw new FitError(n, statuses ?? new Map());
    if (feasible.length === 1) return { node: feasible[0]!.name, state, evaluatedNodes: i, feasibleNodes: 1 };

    this.fwk.runPreScore(state, pod, feasible, snapshot);
    const totals = this.fwk.runScore(state, pod, feasible);
    return { node: this.selectHost(feasible, totals), state, evaluatedNodes: i, feasibleNodes: feasible.length };
  }

  /** Highest total wins; ties are broken uniformly at random (reservoir sampling). */
  private selectHost(nodes: readonly NodeInfo[], totals: readonly number[]): string {
    const random = this.opts.random ?? Math.random;
    let best = 0;
    let ties = 1;
    for (let i = 1; i < nodes.length; i++) {
      if (totals[i]! > totals[best]!) {
        best = i;
        ties = 1;
      } else if (totals[i] === totals[best]) {
        ties++;
        if (random() * ties < 1) best = i;
      }
    }
    return nodes[best]!.name;
  }
}
