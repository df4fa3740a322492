// One drill from start to end: deploy the workload and wait for it, inject the fault while
// watching, wait for recovery, end the fault, wait for the cluster to settle, check the
// invariants, and hand back the report. Aborting (Ctrl-C) ends the fault and removes the
// workload before the error propagates.
import { GrpcClient } from '@k8ts/client';
import { isNodeReady, type Node } from '@k8ts/api';
import type { ClusterTarget } from '../target/types.js';
import { Timeline } from './timeline.js';
import { Observer } from './observer.js';
import { ConfigMapWriter, ServiceProber, type ServiceFigures, type WriteFigures } from './load.js';
import { deployWorkload, podReady, removeWorkload, serviceIp, type Workload } from './workload.js';
import { findScenario, type DrillContext, type Injected } from './scenarios.js';
import { dockerPodsOf } from './docker-view.js';
import { invariantChecks } from './checks.js';
import type { DrillReport, Check } from './report-types.js';

export interface DrillOptions {
  scenario: string;
  target: ClusterTarget;
  replicas?: number;
  timeoutMs?: number;
  keep?: boolean;
  signal?: AbortSignal;
  /** Progress lines (listr2 task titles in the CLI). */
  onStep?: (step: string) => void;
}

export class DrillAborted extends Error {
  constructor() {
    super('drill interrupted');
  }
}

async function until(what: string, f: () => boolean | Promise<boolean>, timeoutMs: number, signal: AbortSignal, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal.aborted) throw new DrillAborted();
    if (await Promise.resolve(f()).catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// long: the drill's steps in the order they run, with the abort and clean-up around
// them; each step is a call into workload, scenarios, load or the observer.
export async function runDrill(o: DrillOptions): Promise<DrillReport> {
  const scenario = findScenario(o.scenario);
  if (scenario.composeOnly && o.target.kind !== 'compose')
    throw new Error(`the ${scenario.name} drill needs the compose cluster (three etcd members; the embedded one has one): \`k8ts drill ${scenario.name} --compose\``);
  const signal = o.signal ?? new AbortController().signal;
  const timeoutMs = o.timeoutMs ?? 120_000;
  const step = o.onStep ?? (() => undefined);
  const api = await o.target.api();
  const client = new GrpcClient({ server: api.grpc, token: api.token, ca: api.ca, timeoutMs: 3000 });
  const stamp = Date.now().toString(36);
  const workload: Workload = { namespace: `drill-${scenario.name}-${stamp}`.slice(0, 63), name: 'web', replicas: o.replicas ?? 4 };
  const tl = new Timeline();
  const obs = new Observer(client, workload.namespace, tl);
  const ctx: DrillContext = { target: o.target, client, workload, tl, obs, signal, lastWriteOkAt: () => writer?.lastOkAt ?? 0 };
  const startedAt = new Date().toISOString();
  let injected: Injected | undefined;
  let healed = false;
  let service: ServiceFigures | undefined;
  let writes: WriteFigures | undefined;
  let prober: ServiceProber | undefined;
  let writer: ConfigMapWriter | undefined;
  let writerClient: GrpcClient | undefined;
  const checks: Check[] = [];
  let recoveredAt: number | undefined;
  let readyOnFailedNode = 0;
  let coldStartMs = 0;
  try {
    // Components that had exited before the drill (a controller-manager that lost its Lease
    // earlier) are started first: a leader-kill drill needs its standby.
    const before = (await o.target.supervise?.()) ?? [];
    for (const r of before) tl.add('heal', `${r} was not running before the drill; started it`);
    step(`workload: Deployment ${workload.namespace}/${workload.name} (${workload.replicas} replicas) and its Service`);
    const deployedAt = Date.now();
    await deployWorkload(client, workload);
    await obs.start();
    await until(`${workload.replicas} Ready replicas`, () => obs.pods.list().filter(podReady).length >= workload.replicas, timeoutMs, signal);
    coldStartMs = Date.now() - deployedAt;
    tl.add('workload-ready', `${workload.replicas} replicas Ready ${(coldStartMs / 1000).toFixed(2)} s after the Deployment was created`);
    const vip = await serviceIp(client, workload);
    prober = new ServiceProber(`http://${vip}/`);
    await until(`the Service ${vip} answering`, async () => (await fetch(`http://${vip}/`, { signal: AbortSignal.timeout(1000) })).ok, 30_000, signal, 250);
    prober.start();
    writerClient = new GrpcClient({ server: api.grpc, token: api.token, ca: api.ca, timeoutMs: 2000 });
    writer = new ConfigMapWriter(writerClient, workload.namespace, scenario.writeEveryMs);
    writer.start();
    await new Promise((r) => setTimeout(r, 1000));

    step(`fault: ${scenario.summary}`);
    obs.markBaseline();
    injected = await scenario.inject(ctx);
    if (scenario.healAfterMs !== undefined) {
      await new Promise((r) => setTimeout(r, scenario.healAfterMs));
      step('heal: bring the component back');
      tl.add('heal', await scenario.heal(ctx, injected));
      healed = true;
    }

    step('watching for recovery');
    // A drill that does not recover still ends its fault, settles and reports (as failed).
    const recovery = await until('recovery', () => scenario.recovered(ctx, injected!), timeoutMs, signal).then(
      () => undefined,
      (e: Error) => e,
    );
    if (recovery instanceof DrillAborted) throw recovery;
    checks.push({ name: 'recovered', ok: !recovery, detail: recovery ? recovery.message : `within ${Math.round(timeoutMs / 1000)} s` });
    if (!recovery) {
      recoveredAt = Date.now();
      tl.add('recovered', `${injected.desired} replicas Ready${injected.node ? ` off ${injected.node}` : ''}`, recoveredAt);
    }
    if (injected.node)
      readyOnFailedNode = obs.pods.list().filter((p) => podReady(p) && p.spec?.nodeName === injected!.node).length;

    if (!healed) {
      step('heal: end the fault');
      tl.add('heal', await scenario.heal(ctx, injected));
      healed = true;
    }
    const healedAt = Date.now();
    step('waiting for the cluster to settle');
    const settle = async () => {
      // Components that exit on their own while the fault lasts (a controller-manager that lost
      // its Lease while the apiserver was away) come back, as under systemd or a restart policy.
      for (const r of (await o.target.supervise?.()) ?? []) tl.add('heal', `${r} had exited on its own; started again (as a supervisor would)`);
      if (Date.now() - healedAt < 2000) return false;
      if (injected!.node) {
        const n = obs.nodes.get(injected!.node) as Node | undefined;
        if (!n || !isNodeReady(n) || n.spec?.taints?.some((t) => t.effect === 'NoExecute')) return false;
      }
      const pods = obs.pods.list();
      if (pods.length !== injected!.desired || !pods.every(podReady)) return false;
      const docker = await dockerPodsOf(workload.namespace, o.target.dockerSockets?.());
      return docker === undefined || docker.length === injected!.desired;
    };
    const settled = await until('the cluster to settle (node back, no Terminating pods, one container set per pod)', settle, timeoutMs, signal, 250).then(
      () => undefined,
      (e: Error) => e,
    );
    if (settled instanceof DrillAborted) throw settled;
    if (!settled) tl.add('settled', 'node back, no Terminating pods, one container set per pod');
    else checks.push({ name: 'settled after the heal', ok: false, detail: settled.message });

    service = await prober.stop(tl.faultAt!);
    prober = undefined;
    writes = await writer.stop(tl.faultAt!);
    writer = undefined;
    for (const [a, b] of writes.outages) {
      tl.add('api-down', 'writes failing', tl.faultAt! + a);
      tl.add('api-up', 'writes acknowledged again', tl.faultAt! + b);
    }

    const docker = await dockerPodsOf(workload.namespace, o.target.dockerSockets?.());
    checks.push(...invariantChecks({ injected, pods: obs.pods.list(), docker, recoveredAt, readyOnFailedNode, writes, service }));
  } catch (e) {
    if (signal.aborted && !(e instanceof DrillAborted)) throw new DrillAborted();
    throw e;
  } finally {
    await prober?.stop(tl.faultAt ?? Date.now()).catch(() => undefined);
    await writer?.stop(tl.faultAt ?? Date.now()).catch(() => undefined);
    if (injected && !healed) {
      step('undo the fault');
      await scenario.heal(ctx, injected).catch((e) => console.error(`could not undo the fault: ${(e as Error).message}`));
      await o.target.supervise?.().catch(() => undefined);
    }
    await obs.stop().catch(() => undefined);
    if (!o.keep) {
      step(`remove namespace ${workload.namespace}`);
      await removeWorkload(client, workload).catch((e) => console.error(`could not remove namespace ${workload.namespace}: ${(e as Error).message}`));
    }
    writerClient?.close();
    client.close();
  }

  const fault = tl.faultAt!;
  const detected = tl.sorted().find((m) => m.t >= 0 && m.kind === scenario.detectedBy && (scenario.detectedBy !== 'node-not-ready' || m.what.includes(` ${injected!.node} `)));
  return {
    scenario: scenario.name,
    summary: scenario.summary,
    target: o.target.kind,
    startedAt,
    faultAt: new Date(fault).toISOString(),
    fault: injected!.what,
    node: injected!.node,
    component: injected!.component,
    namespace: workload.namespace,
    replicas: injected!.desired,
    timeToDetectMs: detected?.t ?? null,
    timeToRecoverMs: recoveredAt === undefined ? null : recoveredAt - fault,
    coldStartMs,
    passed: checks.every((c) => c.ok),
    checks,
    service: service!,
    writes: writes!,
    timeline: tl.sorted(),
  };
}
