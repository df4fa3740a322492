// Runs a profile's plugins at each extension point, in the order the profile lists them.
import { CycleState } from './cycle-state.js';
import { PluginError } from './fit-error.js';
import {
  isFilter,
  isPreBind,
  isPreFilter,
  isPreScore,
  isScore,
  MAX_NODE_SCORE,
  type AnyPlugin,
  type FilterPlugin,
  type PreBindPlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from './interfaces.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type { Snapshot } from './snapshot.js';
import { Code, SUCCESS, type Status } from './status.js';
import type { ClusterEvent } from './events.js';

export class Framework {
  readonly preFilters: PreFilterPlugin[];
  readonly filters: FilterPlugin[];
  readonly preScores: PreScorePlugin[];
  readonly scores: ScorePlugin[];
  readonly preBinds: PreBindPlugin[];
  private readonly byName = new Map<string, AnyPlugin>();

  constructor(readonly plugins: readonly AnyPlugin[]) {
    for (const p of plugins) {
      if (this.byName.has(p.name)) throw new Error(`plugin ${p.name} listed twice`);
      this.byName.set(p.name, p);
    }
    this.preFilters = plugins.filter(isPreFilter);
    this.filters = plugins.filter(isFilter);
    this.preScores = plugins.filter(isPreScore);
    this.scores = plugins.filter(isScore);
    this.preBinds = plugins.filter(isPreBind);
  }

  /** Does an event matter to any of these plugins (the ones that rejected a pod)? */
  eventMatters(event: ClusterEvent, plugins: ReadonlySet<string>): boolean {
    if (plugins.size === 0) return true;
    for (const name of plugins) {
      const p = this.byName.get(name);
      if (!p || !p.events || p.events.includes(event)) return true;
    }
    return false;
  }

  /** Throws PluginError for Error statuses; returns the first rejection, or SUCCESS. */
  runPreFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): Status {
    for (const p of this.preFilters) {
      let s: Status;
      try {
        s = p.preFilter(state, pod, snapshot);
      } catch (e) {
        throw new PluginError(p.name, 'PreFilter', (e as Error).message);
      }
      if (s.code === Code.Success) continue;
      if (s.code === Code.Skip) {
        state.skipFilter.add(p.name);
        continue;
      }
      if (s.code === Code.Error) throw new PluginError(p.name, 'PreFilter', s.reasons.join(', '));
      return { ...s, plugin: p.name };
    }
    return SUCCESS;
  }

  /** The Filter plugins this cycle runs (those whose PreFilter did not Skip). */
  activeFilters(state: CycleState): FilterPlugin[] {
    return state.skipFilter.size ? this.filters.filter((p) => !state.skipFilter.has(p.name)) : this.filters;
  }

  /** The first plugin's rejection for this node, or SUCCESS. Throws PluginError on Error. */
  runFilter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo, filters: readonly FilterPlugin[] = this.activeFilters(state)): Status {
    for (let i = 0; i < filters.length; i++) {
      const p = filters[i]!;
      let s: Status;
      try {
        s = p.filter(state, pod, nodeInfo);
      } catch (e) {
        throw new PluginError(p.name, 'Filter', (e as Error).message);
      }
      if (s.code === Code.Success) continue;
      if (s.code === Code.Error) throw new PluginError(p.name, 'Filter', s.reasons.join(', '));
      return { code: s.code, reasons: s.reasons, plugin: p.name };
    }
    return SUCCESS;
  }

  runPreScore(state: CycleState, pod: PodInfo, feasible: readonly NodeInfo[], snapshot: Snapshot): void {
    for (const p of this.preScores) {
      let s: Status;
      try {
        s = p.preScore(state, pod, feasible, snapshot);
      } catch (e) {
        throw new PluginError(p.name, 'PreScore', (e as Error).message);
      }
      if (s.code === Code.Skip) state.skipScore.add(p.name);
      else if (s.code !== Code.Success) throw new PluginError(p.name, 'PreScore', s.reasons.join(', '));
    }
  }

  /** Weighted sum of every Score plugin's (normalized) score, index-aligned with nodes. */
  runScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): number[] {
    const totals = new Array<number>(nodes.length).fill(0);
    const scores = new Array<number>(nodes.length);
    for (const p of this.scores) {
      if (state.skipScore.has(p.name)) continue;
      try {
        for (let i = 0; i < nodes.length; i++) scores[i] = p.score(state, pod, nodes[i]!);
        p.normalize?.(state, pod, scores, nodes);
      } catch (e) {
        throw new PluginError(p.name, 'Score', (e as Error).message);
      }
      for (let i = 0; i < nodes.length; i++) {
        const s = scores[i]!;
        totals[i]! += p.weight * (s > MAX_NODE_SCORE ? MAX_NODE_SCORE : s < 0 || !(s === s) ? 0 : s);
      }
    }
    return totals;
  }

  /** Each PreBind plugin in turn; the first that is not a success is returned (with its plugin). */
  async runPreBind(state: CycleState, pod: PodInfo, node: string, signal: AbortSignal): Promise<Status> {
    for (const p of this.preBinds) {
      let s: Status;
      try {
        s = await p.preBind(state, pod, node, signal);
      } catch (e) {
        s = { code: Code.Error, reasons: [(e as Error).message] };
      }
      if (s.code !== Code.Success) return { ...s, plugin: p.name };
    }
    return SUCCESS;
  }

  newCycleState(): CycleState {
    return new CycleState();
  }
}
