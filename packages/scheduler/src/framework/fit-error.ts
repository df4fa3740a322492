// The message a pod that fits nowhere carries, exactly as kube-scheduler's FitError builds it:
// "0/<all> nodes are available: " then "<count> <reason>" per distinct reason, sorted as
// strings (Go's sort.Strings), joined by ", ", ending with ".".
import type { Status } from './status.js';

export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

export function fitErrorMessage(numAllNodes: number, statuses: Iterable<Status>, preFilterMsg?: string): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (preFilterMsg) return `${msg} ${preFilterMsg}.`;
  const counts = new Map<string, number>();
  for (const s of statuses) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  const parts = [...counts].map(([reason, n]) => `${n} ${reason}`);
  // Byte-wise order, like Go: "10 x" sorts before "2 y".
  parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (parts.length) msg += ` ${parts.join(', ')}.`;
  return msg;
}

/** The pod fits on no node: carries each rejected node's status and the plugins that said no. */
export class FitError extends Error {
  readonly unschedulablePlugins: Set<string>;

  constructor(
    readonly numAllNodes: number,
    readonly nodeStatuses: ReadonlyMap<string, Status>,
    readonly preFilterStatus?: Status,
  ) {
    super(fitErrorMessage(numAllNodes, nodeStatuses.values(), preFilterStatus?.reasons.join(', ')));
    this.name = 'FitError';
    this.unschedulablePlugins = new Set();
    if (preFilterStatus?.plugin) this.unschedulablePlugins.add(preFilterStatus.plugin);
    for (const s of nodeStatuses.values()) if (s.plugin) this.unschedulablePlugins.add(s.plugin);
  }
}

/** No node exists at all. */
export class NoNodesError extends Error {
  constructor() {
    super(NO_NODES_AVAILABLE);
    this.name = 'NoNodesError';
  }
}

/** A plugin found bad input or failed: the pod cannot be scheduled until it changes. */
export class PluginError extends Error {
  constructor(
    readonly plugin: string,
    readonly extensionPoint: string,
    message: string,
  ) {
    super(`running ${extensionPoint} plugin "${plugin}": ${message}`);
    this.name = 'PluginError';
  }
}
