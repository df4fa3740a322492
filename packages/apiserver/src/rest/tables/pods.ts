// The pod printer of pkg/printers/internalversion/printers.go (printPod): READY counts
// ready containers, STATUS is the most telling reason among init containers, containers
// and the pod's deletion, RESTARTS says when the last one was.
import { isPodReady } from '@k8ts/api';
import { col, nameColumn, ageColumn, type Printer } from './types.js';
import { since } from './age.js';

const NODE_UNREACHABLE_POD_REASON = 'NodeLost';

function isRestartableInit(c: any): boolean {
  return c?.restartPolicy === 'Always';
}

function isInitializedTrue(status: any): boolean {
  return (status?.conditions ?? []).some((c: any) => c.type === 'Initialized' && c.status === 'True');
}

function later(a: string | undefined, b: string | undefined): string | undefined {
  if (!b) return a;
  if (!a) return b;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

/** What the container statuses add up to; the loops below follow printPod's order. */
interface Tally {
  reason: string;
  restarts: number;
  restartableInitRestarts: number;
  readyContainers: number;
  lastRestartDate?: string;
  lastRestartableInitRestartDate?: string;
}

/** Init containers: true while one still runs or failed (STATUS then says Init:...). */
function tallyInitContainers(spec: any, status: any, t: Tally): boolean {
  const initContainers = new Map<string, any>();
  for (const c of spec.initContainers ?? []) initContainers.set(c.name, c);
  const initStatuses: any[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const container = initStatuses[i];
    t.restarts += container.restartCount ?? 0;
    const lastTerm = container.lastState?.terminated;
    if (lastTerm) t.lastRestartDate = later(t.lastRestartDate, lastTerm.finishedAt);
    const restartable = isRestartableInit(initContainers.get(container.name));
    if (restartable) {
      t.restartableInitRestarts += container.restartCount ?? 0;
      if (lastTerm) t.lastRestartableInitRestartDate = later(t.lastRestartableInitRestartDate, lastTerm.finishedAt);
    }
    const state = container.state ?? {};
    if (state.terminated && (state.terminated.exitCode ?? 0) === 0) continue;
    if (restartable && container.started) {
      if (container.ready) t.readyContainers++;
      continue;
    }
    if (state.terminated) {
      const term = state.terminated;
      if (!term.reason) t.reason = term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode ?? 0}`;
      else t.reason = `Init:${term.reason}`;
    } else if (state.waiting && state.waiting.reason && state.waiting.reason !== 'PodInitializing') {
      t.reason = `Init:${state.waiting.reason}`;
    } else {
      t.reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    }
    return true;
  }
  return false;
}

/** Regular containers, last first, so the first container's state is the one STATUS shows. */
function tallyContainers(pod: any, status: any, t: Tally): void {
  t.restarts = t.restartableInitRestarts;
  t.lastRestartDate = t.lastRestartableInitRestartDate;
  let hasRunning = false;
  const statuses: any[] = status.containerStatuses ?? [];
  for (let i = statuses.length - 1; i >= 0; i--) {
    const container = statuses[i];
    t.restarts += container.restartCount ?? 0;
    const lastTerm = container.lastState?.terminated;
    if (lastTerm) t.lastRestartDate = later(t.lastRestartDate, lastTerm.finishedAt);
    const state = container.state ?? {};
    if (state.waiting && state.waiting.reason) {
      t.reason = state.waiting.reason;
    } else if (state.terminated && state.terminated.reason) {
      t.reason = state.terminated.reason;
    } else if (state.terminated && !state.terminated.reason) {
      t.reason = state.terminated.signal ? `Signal:${state.terminated.signal}` : `ExitCode:${state.terminated.exitCode ?? 0}`;
    } else if (container.ready && state.running) {
      hasRunning = true;
      t.readyContainers++;
    }
  }
  if (t.reason === 'Completed' && hasRunning) {
    t.reason = isPodReady(pod) ? 'Running' : 'NotReady';
  }
}

function readinessGatesText(spec: any, status: any): string {
  const gates: any[] = spec.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  let trueConditions = 0;
  for (const g of gates) {
    const c = (status.conditions ?? []).find((x: any) => x.type === g.conditionType);
    if (c?.status === 'True') trueConditions++;
  }
  return `${trueConditions}/${gates.length}`;
}

export function podCells(pod: any, now: number): unknown[] {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const podPhase: string = status.phase ?? '';
  const t: Tally = { reason: status.reason || podPhase, restarts: 0, restartableInitRestarts: 0, readyContainers: 0 };
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') t.reason = 'SchedulingGated';
  }
  const totalContainers = (spec.containers ?? []).length + (spec.initContainers ?? []).filter(isRestartableInit).length;
  const initializing = tallyInitContainers(spec, status, t);
  if (!initializing || isInitializedTrue(status)) tallyContainers(pod, status, t);

  const deleting = !!pod.metadata?.deletionTimestamp;
  if (deleting && status.reason === NODE_UNREACHABLE_POD_REASON) t.reason = 'Unknown';
  else if (deleting && podPhase !== 'Succeeded' && podPhase !== 'Failed') t.reason = 'Terminating';

  let restartsStr = String(t.restarts);
  if (t.restarts !== 0 && t.lastRestartDate) restartsStr = `${t.restarts} (${since(t.lastRestartDate, now)} ago)`;

  return [
    pod.metadata?.name ?? '',
    `${t.readyContainers}/${totalContainers}`,
    t.reason,
    restartsStr,
    since(pod.metadata?.creationTimestamp, now),
    status.podIPs?.[0]?.ip || status.podIP || '<none>',
    spec.nodeName || '<none>',
    status.nominatedNodeName || '<none>',
    readinessGatesText(spec, status),
  ];
}

export const podPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageColumn(),
    col('IP', 'string', 'IP address allocated to the pod. Routable at least within the cluster.', 1),
    col('Node', 'string', 'NodeName is a request to schedule this pod onto a specific node.', 1),
    col('Nominated Node', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node.', 1),
    col('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness.', 1),
  ],
  row: podCells,
  conditions(pod: any) {
    const phase = pod.status?.phase;
    if (phase === 'Succeeded') return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
    if (phase === 'Failed') return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
    return undefined;
  },
};
