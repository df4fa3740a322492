// Runs one plugin the way the framework would, for unit tests.
import type { Pod } from '@k8ts/api';
import { CycleState } from '../framework/cycle-state.js';
import { isFilter, isPreFilter, isPreScore, isScore, type AnyPlugin } from '../framework/interfaces.js';
import type { NodeInfo } from '../framework/node-info.js';
import { newPodInfo } from '../framework/pod-info.js';
import { snapshotOf } from '../framework/snapshot.js';
import { Code, type Status } from '../framework/status.js';

/** Filter result per node name: '' when it fits, else the reasons joined by ', '. */
export function filterAll(plugin: AnyPlugin, pod: Pod, nodes: NodeInfo[], namespaces: Record<string, Record<string, string>> = {}): Record<string, string> {
  const state = new CycleState();
  const pi = newPodInfo(pod);
  const snap = snapshotOf(nodes, namespaces);
  const out: Record<string, string> = {};
  if (isPreFilter(plugin)) {
    const s = plugin.preFilter(state, pi, snap);
    if (s.code === Code.Skip) {
      for (const n of nodes) out[n.name] = '';
      return out;
    }
    if (s.code !== Code.Success) {
      for (const n of nodes) out[n.name] = describe(s);
      return out;
    }
  }
  if (!isFilter(plugin)) throw new Error(`${plugin.name} has no Filter`);
  for (const n of nodes) out[n.name] = describe(plugin.filter(state, pi, n));
  return out;
}

function describe(s: Status): string {
  if (s.code === Code.Success) return '';
  if (s.code === Code.Error) return `error: ${s.reasons.join(', ')}`;
  return s.reasons.join(', ');
}

/** Normalized scores per node name; undefined when PreScore skipped the plugin. */
export function scoreAll(plugin: AnyPlugin, pod: Pod, nodes: NodeInfo[], all: NodeInfo[] = nodes): Record<string, number> | undefined {
  const state = new CycleState();
  const pi = newPodInfo(pod);
  if (isPreScore(plugin)) {
    const s = plugin.preScore(state, pi, nodes, snapshotOf(all));
    if (s.code === Code.Skip) return undefined;
    if (s.code !== Code.Success) throw new Error(s.reasons.join(', '));
  }
  if (!isScore(plugin)) throw new Error(`${plugin.name} has no Score`);
  const scores = nodes.map((n) => plugin.score(state, pi, n));
  plugin.normalize?.(state, pi, scores, nodes);
  return Object.fromEntries(nodes.map((n, i) => [n.name, scores[i]!]));
}
