// The drills: which fault each injects, when it counts as recovered, and how the fault ends.
// Node faults hit the node running most of the workload's replicas; leader kills hit the
// replica holding the component's Lease.
import type { Client } from '@k8ts/client';
import type { KubeObject, Pod } from '@k8ts/api';
import type { ClusterTarget } from '../target/types.js';
import type { Timeline } from './timeline.js';
import type { Observer } from './observer.js';
import { podReady, type Workload } from './workload.js';

export interface DrillContext {
  target: ClusterTarget;
  client: Client;
  workload: Workload;
  tl: Timeline;
  obs: Observer;
  signal: AbortSignal;
  /** When the drill's writer last had a write acknowledged (ms). */
  lastWriteOkAt(): number;
}

export interface Injected {
  what: string;
  /** The node a node fault hit. */
  node?: string;
  /** The component (process/container) a component fault hit. */
  component?: string;
  /** Pods the workload needs Ready at the end (a scale-up during the drill raises it). */
  desired: number;
}

export interface Scenario {
  name: string;
  summary: string;
  composeOnly?: boolean;
  /** Writes every this many ms during the drill (acknowledged ones are read back). */
  writeEveryMs: number;
  inject(ctx: DrillContext): Promise<Injected>;
  /** Ends the fault before waiting for recovery (a control-plane process comes back), ms after injection. */
  healAfterMs?: number;
  recovered(ctx: DrillContext, f: Injected): boolean;
  /** Ends the fault: the agent or machine comes back, the partition heals, the killed replica restarts. */
  heal(ctx: DrillContext, f: Injected): Promise<string>;
  /** The mark kind whose first appearance after the fault counts as detection. */
  detectedBy: 'node-not-ready' | 'leader' | 'api-down';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The node holding most Ready replicas of the workload. */
function busiestNode(ctx: DrillContext): string {
  const count = new Map<string, number>();
  for (const p of ctx.obs.pods.list()) if (podReady(p) && p.spec?.nodeName) count.set(p.spec.nodeName, (count.get(p.spec.nodeName) ?? 0) + 1);
  const top = [...count].sort((a, b) => b[1] - a[1])[0];
  if (!top) throw new Error('no Ready replica of the drill workload to aim the fault at');
  return top[0];
}

function readyElsewhere(ctx: DrillContext, f: Injected): boolean {
  return ctx.obs.pods.list().filter((p) => podReady(p) && p.spec?.nodeName !== f.node).length >= f.desired;
}

function readyCount(ctx: DrillContext): number {
  return ctx.obs.pods.list().filter(podReady).length;
}

function nodeScenario(name: string, fault: 'kill-agent' | 'kill-node' | 'partition', summary: string): Scenario {
  return {
    name,
    summary,
    writeEveryMs: 250,
    detectedBy: 'node-not-ready',
    async inject(ctx) {
      const node = busiestNode(ctx);
      ctx.tl.fault(`${fault} ${node}`);
      const what = await ctx.target.nodeFault(fault, node);
      return { what, node, desired: ctx.workload.replicas };
    },
    recovered: readyElsewhere,
    async heal(ctx, f) {
      if (fault === 'partition') return ctx.target.nodeFault('heal', f.node!);
      return ctx.target.restart(f.node!);
    },
  };
}

function leaderScenario(name: string, component: 'scheduler' | 'controller-manager', summary: string, after: (ctx: DrillContext) => Promise<number>): Scenario {
  return {
    name,
    summary,
    writeEveryMs: 250,
    detectedBy: 'leader',
    async inject(ctx) {
      ctx.tl.fault(`kill the leading ${component}`);
      const what = await ctx.target.kill(component);
      const killed = /killed (\S+?),? /.exec(what + ' ')?.[1] ?? component;
      // Work only the new leader can do: without one the drill never recovers.
      const desired = await after(ctx);
      return { what, component: killed, desired };
    },
    recovered: (ctx, f) => readyCount(ctx) >= f.desired && !!ctx.tl.first('leader'),
    heal: (ctx, f) => ctx.target.restart(f.component!),
  };
}

async function scaleUp(ctx: DrillContext): Promise<number> {
  const desired = ctx.workload.replicas + 1;
  await ctx.client.patch('deployments', ctx.workload.namespace, ctx.workload.name, 'application/merge-patch+json', { spec: { replicas: desired } });
  ctx.workload.replicas = desired;
  return desired;
}

async function deleteOnePod(ctx: DrillContext): Promise<number> {
  const pod = ctx.obs.pods.list().find(podReady) as (Pod & KubeObject) | undefined;
  if (pod) await ctx.client.delete('pods', ctx.workload.namespace, pod.metadata.name!);
  return ctx.workload.replicas;
}

function componentScenario(name: string, pick: (ctx: DrillContext) => Promise<string>, summary: string, composeOnly = false): Scenario {
  return {
    name,
    summary,
    composeOnly,
    writeEveryMs: 50,
    detectedBy: 'api-down',
    healAfterMs: 3000,
    async inject(ctx) {
      const component = await pick(ctx);
      ctx.tl.fault(`kill ${component}`);
      const what = await ctx.target.kill(component);
      return { what, component, desired: ctx.workload.replicas };
    },
    // Recovered once the component is back, writes are acknowledged again and the replicas Ready.
    recovered: (ctx, f) => readyCount(ctx) >= f.desired && ctx.lastWriteOkAt() > ctx.tl.faultAt! + 3000,
    heal: (ctx, f) => ctx.target.restart(f.component!),
  };
}

export const SCENARIOS: Scenario[] = [
  nodeScenario('agent-kill', 'kill-agent', 'the agent of the busiest node dies (its pods keep running); replicas move to the other nodes'),
  nodeScenario('node-loss', 'kill-node', 'the busiest node is lost with its pods; replicas are recreated elsewhere'),
  nodeScenario('agent-partition', 'partition', 'the busiest node cannot reach the apiserver; replicas move; on heal its moved pods are removed'),
  componentScenario('apiserver-kill', async () => 'apiserver', 'the apiserver dies under a ConfigMap write load and comes back after 3 s; every acknowledged write must be there'),
  leaderScenario('scheduler-leader-kill', 'scheduler', 'the leading scheduler dies, then the Deployment scales up: the standby must take the Lease and place the new pod', scaleUp),
  leaderScenario('controller-manager-leader-kill', 'controller-manager', 'the leading controller-manager dies, then a pod is deleted: the standby must take the Lease and replace it', deleteOnePod),
  componentScenario(
    'etcd-member-kill',
    async (ctx) => {
      const members = (await ctx.target.components()).filter((c) => /^etcd[-_]?\d+$/.test(c));
      if (members.length < 3) throw new Error('etcd-member-kill needs a cluster with three etcd members (the compose one)');
      return members[members.length - 1]!;
    },
    'one of three etcd members dies under a write load and comes back; the cluster keeps its quorum and every acknowledged write',
    true,
  ),
];

export const SCENARIO_NAMES = SCENARIOS.map((s) => s.name);

export function findScenario(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`no drill named ${name}; the drills are ${SCENARIO_NAMES.join(', ')}`);
  return s;
}

export { sleep };
