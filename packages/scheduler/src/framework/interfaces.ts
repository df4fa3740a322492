// Extension points of the scheduling framework. A plugin is one object implementing one or
// more of them; a new policy is one new file in plugins/ plus a line in plugins/registry.ts.
import type { CycleState } from './cycle-state.js';
import type { ClusterEvent } from './events.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type { Snapshot } from './snapshot.js';
import type { Status } from './status.js';

export const MAX_NODE_SCORE = 100;

export interface Plugin {
  readonly name: string;
  /** Events after which a pod this plugin rejected may fit; default: all. */
  readonly events?: readonly ClusterEvent[];
}

/** Once per cycle before Filter: precompute, reject the pod outright, or Skip the Filter. */
export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): Status;
}

/** Can the pod run on this node? Called for each node until enough feasible ones are found. */
export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status;
}

/** Once per cycle before Score, with the feasible nodes: precompute, or Skip the Score. */
export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: PodInfo, feasible: readonly NodeInfo[], snapshot: Snapshot): Status;
}

export interface ScorePlugin extends Plugin {
  readonly weight: number;
  /** 0..MAX_NODE_SCORE, or any number when normalize() maps it into that range. */
  score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): number;
  /** Rewrites scores (index-aligned with nodes) into 0..MAX_NODE_SCORE. */
  normalize?(state: CycleState, pod: PodInfo, scores: number[], nodes: readonly NodeInfo[]): void;
}

/**
 * After the node is chosen and the pod assumed, before the binding is sent: the plugin's API
 * writes (VolumeBinding's claims), awaited. A failure sends the pod back to the queue.
 */
export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: PodInfo, node: string, signal: AbortSignal): Promise<Status>;
}

export type AnyPlugin = Plugin & Partial<PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin & PreBindPlugin>;

export function isPreFilter(p: AnyPlugin): p is PreFilterPlugin {
  return typeof p.preFilter === 'function';
}
export function isFilter(p: AnyPlugin): p is FilterPlugin {
  return typeof p.filter === 'function';
}
export function isPreScore(p: AnyPlugin): p is PreScorePlugin {
  return typeof p.preScore === 'function';
}
export function isPreBind(p: AnyPlugin): p is PreBindPlugin {
  return typeof p.preBind === 'function';
}
export function isScore(p: AnyPlugin): p is ScorePlugin {
  return typeof p.score === 'function' && typeof p.weight === 'number';
}
