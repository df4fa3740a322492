// The scheduler: informer events feed the cache and the queue; one loop pops a pod, runs the
// framework over a snapshot, assumes the pod on the chosen node and binds it asynchronously,
// so the next pod is scheduled while the binding is in flight.
import { setImmediate as yieldToIo } from 'node:timers/promises';
import type { KubeObject, Node, Pod } from '@k8ts/api';
import { isPodTerminal as terminal, nodeReadyCondition } from '@k8ts/api';
import { ApiError, isNotFound, type Client, type Logger } from '@k8ts/client';
import { SchedulerCache } from './cache/scheduler-cache.js';
import { VolumeCache } from './cache/volume-cache.js';
import type { CycleState } from './framework/cycle-state.js';
import { VolumeBinding, type VolumeBindingOptions } from './plugins/volume-binding.js';
import type { ClusterEvent } from './framework/events.js';
import { FitError, NoNodesError, PluginError } from './framework/fit-error.js';
import { Framework } from './framework/framework.js';
import type { AnyPlugin } from './framework/interfaces.js';
import { newPodInfo, podKey, type PodInfo } from './framework/pod-info.js';
import { PodScheduler } from './framework/schedule-pod.js';
import { Code } from './framework/status.js';
import type { EventSink } from './events.js';
import { reportUnschedulable } from './feedback.js';
import type { SchedulerMetrics } from './metrics.js';
import { defaultPlugins } from './plugins/registry.js';
import { SchedulingQueue, type QueueOptions } from './queue/scheduling-queue.js';
import type { QueuedPodInfo } from './queue/queued-pod.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
/**
 * Bindings awaiting the apiserver at once. Enough to keep the apiserver and etcd busy (their
 * batching needs a few dozen), few enough that other clients' requests (pod creates) are not
 * queued behind hundreds of binds: more in flight adds latency, not throughput. kube-scheduler
 * bounds itself the same way through its client's QPS limit.
 */
export const DEFAULT_MAX_IN_FLIGHT_BINDS = 64;

export interface SchedulerConfig {
  client: Client;
  events: EventSink;
  logger: Logger;
  schedulerName?: string;
  plugins?: AnyPlugin[];
  /** 0: adaptive, as kube-scheduler (all nodes below 100, then a shrinking share). */
  percentageOfNodesToScore?: number;
  queue?: QueueOptions;
  assumedTtlMs?: number;
  maxInFlightBinds?: number;
  metrics?: SchedulerMetrics;
  /** VolumeBinding's bind timeout and poll interval (with the default plugins). */
  volumeBinding?: VolumeBindingOptions;
}

function assigned(pod: Pod): boolean {
  return Boolean(pod.spec?.nodeName);
}


function nodeChangeMatters(a: Node, b: Node): boolean {
  const pick = (n: Node) =>
    JSON.stringify([
      n.metadata?.labels,
      n.spec?.taints,
      n.spec?.unschedulable,
      n.status?.allocatable,
      nodeReadyCondition(n)?.status,
    ]);
  return pick(a) !== pick(b);
}

export class Scheduler {
  readonly name: string;
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
  readonly framework: Framework;
  /** Claims, volumes and storage classes, for VolumeBinding (fed by the informers). */
  readonly volumes = new VolumeCache();
  /** Aborted on stop: PreBind waits end. */
  private readonly stopping = new AbortController();
  private readonly algorithm: PodScheduler;
  private readonly log: Logger;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private inFlightBinds = 0;
  private readonly bindWaiters: (() => void)[] = [];
  private readonly binds = new Set<Promise<void>>();
  private readonly expiryTimer: NodeJS.Timeout;
  /** Counters for tests and the benchmark. */
  readonly stats = { scheduled: 0, unschedulable: 0, errors: 0, bindFailures: 0 };

  constructor(private readonly cfg: SchedulerConfig) {
    this.name = cfg.schedulerName ?? DEFAULT_SCHEDULER_NAME;
    this.log = cfg.logger;
    this.cache = new SchedulerCache({ assumedTtlMs: cfg.assumedTtlMs });
    this.queue = new SchedulingQueue(cfg.queue);
    const volumeBinding = new VolumeBinding(this.volumes, cfg.client, { nodeLabels: (n) => this.cache.get(n)?.labels, ...cfg.volumeBinding });
    this.framework = new Framework(cfg.plugins ?? defaultPlugins(volumeBinding));
    this.algorithm = new PodScheduler(this.framework, { percentageOfNodesToScore: cfg.percentageOfNodesToScore });
    this.expiryTimer = setInterval(() => {
      for (const key of this.cache.cleanupExpired()) this.log.warn({ pod: key }, 'assumed pod expired: binding never confirmed by the watch');
    }, 1000);
  }

  // ---- which pods are ours ----
  responsibleFor(pod: Pod): boolean {
    return (pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME) === this.name;
  }

  private pending(pod: Pod): boolean {
    return !assigned(pod) && this.responsibleFor(pod) && !pod.metadata?.deletionTimestamp && !terminal(pod);
  }

  private moveAll(event: ClusterEvent): void {
    if (this.queue.lengths().unschedulable === 0) return;
    this.queue.moveAllToActiveOrBackoff(event, (ev, plugins) => this.framework.eventMatters(ev, plugins));
  }

  // ---- informer handlers ----
  onPodAdd(pod: Pod): void {
    if (assigned(pod)) {
      this.cache.addOrUpdatePod(pod);
      this.queue.delete(pod);
      this.moveAll('AssignedPodAdd');
    } else if (this.pending(pod)) {
      this.queue.add(pod);
    }
  }

  onPodUpdate(old: Pod, pod: Pod): void {
    const key = podKey(pod);
    if (assigned(pod)) {
      const wasPlaced = this.cache.nodeOf(key) !== undefined;
      this.cache.addOrUpdatePod(pod);
      if (!assigned(old)) this.queue.delete(pod);
      if (terminal(pod) && wasPlaced) this.moveAll('AssignedPodDelete');
      else if (JSON.stringify(old.metadata?.labels) !== JSON.stringify(pod.metadata?.labels)) this.moveAll('AssignedPodUpdate');
      return;
    }
    // Our own bind is in flight: the update predates it.
    if (this.cache.isAssumed(key)) return;
    if (this.pending(pod)) this.queue.update(old, pod);
    else this.queue.delete(pod);
  }

  onPodDelete(pod: Pod): void {
    const key = podKey(pod);
    this.queue.delete(key);
    if (this.cache.nodeOf(key) !== undefined) {
      this.cache.removePod(key);
      this.moveAll('AssignedPodDelete');
    }
  }

  onNodeAdd(node: Node): void {
    this.cache.addNode(node);
    this.moveAll('NodeAdd');
  }

  onNodeUpdate(old: Node, node: Node): void {
    this.cache.updateNode(node);
    if (nodeChangeMatters(old, node)) this.moveAll('NodeUpdate');
  }

  onNodeDelete(node: Node): void {
    this.cache.removeNode(node.metadata?.name ?? '');
  }

  onClaim(pvc: KubeObject, added: boolean): void {
    this.volumes.setClaim(pvc);
    this.moveAll(added ? 'PersistentVolumeClaimAdd' : 'PersistentVolumeClaimUpdate');
  }

  onVolume(pv: KubeObject, added: boolean): void {
    this.volumes.setVolume(pv);
    this.moveAll(added ? 'PersistentVolumeAdd' : 'PersistentVolumeUpdate');
  }

  onStorageClass(sc: KubeObject): void {
    this.volumes.setClass(sc);
    this.moveAll('StorageClassAdd');
  }

  // ---- the loop ----
  /** Starts scheduling (on becoming leader). */
  start(): void {
    if (this.running || this.queue.isClosed) return;
    this.running = true;
    this.loopDone = this.loop().catch((e) => this.log.error({ err: e }, 'scheduling loop crashed'));
  }

  /** Stops taking new pods (on losing leadership); in-flight bindings finish. */
  async pause(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.queue.wake();
    await this.loopDone;
  }

  get isRunning(): boolean {
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.pause();
    await Promise.allSettled([...this.binds]);
    this.queue.close();
    clearInterval(this.expiryTimer);
    await this.cfg.events.flush(2000);
  }

  private async loop(): Promise<void> {
    let lastYield = Date.now();
    while (this.running) {
      const q = await this.queue.pop();
      if (!q) {
        if (!this.running || this.queue.isClosed) break;
        continue;
      }
      if (!this.running) {
        this.queue.addBackoff(q); // leadership lost while waiting: give it back
        break;
      }
      this.scheduleOne(q);
      // Let watch events and bind replies in between pods.
      if (Date.now() - lastYield > 2) {
        await yieldToIo();
        lastYield = Date.now();
      }
      const max = this.cfg.maxInFlightBinds ?? DEFAULT_MAX_IN_FLIGHT_BINDS;
      while (this.inFlightBinds >= max) await new Promise<void>((r) => this.bindWaiters.push(r));
    }
  }

  /** One scheduling cycle, synchronous up to the assumption; binding runs on its own. */
  scheduleOne(q: QueuedPodInfo): void {
    const pod = q.pod;
    if (!this.pending(pod)) {
      this.queue.done(q.key);
      return;
    }
    const started = performance.now();
    const info = newPodInfo(pod);
    let node: string;
    let state: CycleState;
    try {
      ({ node, state } = this.algorithm.schedule(this.cache, info));
    } catch (e) {
      this.handleFailure(q, e as Error, started);
      return;
    }
    this.cache.assumePod(info, node);
    const p = this.bind(q, info, node, state, started);
    this.binds.add(p);
    void p.finally(() => this.binds.delete(p));
  }

  private handleFailure(q: QueuedPodInfo, err: Error, started: number): void {
    const m = this.cfg.metrics;
    const elapsed = (performance.now() - started) / 1000;
    const key = q.key;
    if (err instanceof FitError || err instanceof NoNodesError) {
      this.stats.unschedulable++;
      m?.attempts.inc({ result: 'unschedulable', profile: this.name });
      m?.attemptDuration.observe({ result: 'unschedulable', profile: this.name }, elapsed);
      this.log.info({ pod: key, reason: 'Unschedulable', message: err.message }, 'unable to schedule pod; waiting');
      this.queue.addUnschedulable(q, err instanceof FitError ? err.unschedulablePlugins : new Set());
    } else {
      this.stats.errors++;
      m?.attempts.inc({ result: 'error', profile: this.name });
      m?.attemptDuration.observe({ result: 'error', profile: this.name }, elapsed);
      this.log.warn({ pod: key, reason: 'Unschedulable', err: err.message }, 'bad input or plugin failure; pod parked until it changes');
      // Bad input does not fix itself: wait for the pod to change (or the timeout).
      this.queue.addUnschedulable(q, new Set(err instanceof PluginError ? [err.plugin] : []));
    }
    void reportUnschedulable(this.cfg.client, this.cfg.events, q.pod, err.message, this.log);
  }

  private async bind(q: QueuedPodInfo, info: PodInfo, node: string, state: CycleState, started: number): Promise<void> {
    const pod = q.pod;
    const ns = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    const m = this.cfg.metrics;
    this.inFlightBinds++;
    try {
      if (this.framework.preBinds.length) {
        const s = await this.framework.runPreBind(state, info, node, this.stopping.signal);
        if (s.code !== Code.Success) {
          this.cache.forgetPod(q.key);
          this.moveAll('AssignedPodDelete');
          const message = `running PreBind plugin "${s.plugin}": ${s.reasons.join(', ')}`;
          this.log.warn({ pod: q.key, node, reason: 'FailedScheduling', err: message }, 'pre-bind failed; retrying after backoff');
          this.cfg.events.event(pod as any, 'Warning', 'FailedScheduling', message);
          this.queue.addBackoff(q);
          return;
        }
      }
      await this.cfg.client.createSubresource('pods', ns, name, 'binding', {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace: ns, uid: pod.metadata?.uid },
        target: { apiVersion: 'v1', kind: 'Node', name: node },
      });
      this.cache.finishBinding(q.key);
      this.queue.done(q.key);
      this.stats.scheduled++;
      m?.attempts.inc({ result: 'scheduled', profile: this.name });
      m?.attemptDuration.observe({ result: 'scheduled', profile: this.name }, (performance.now() - started) / 1000);
      m?.e2eLatency.observe({ result: 'scheduled', profile: this.name }, (Date.now() - q.firstSeen) / 1000);
      this.log.debug({ pod: q.key, node }, 'bound');
      this.cfg.events.event(pod as any, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${node}`);
    } catch (e) {
      this.cache.forgetPod(q.key);
      this.moveAll('AssignedPodDelete');
      const err = e as Error;
      if (isNotFound(e) || (e instanceof ApiError && e.code === 409 && /already assigned|being deleted|Precondition failed/.test(err.message))) {
        // The pod went away or someone else bound it: nothing to retry.
        this.log.info({ pod: q.key, node, err: err.message }, 'binding skipped');
        this.queue.done(q.key);
        return;
      }
      this.stats.bindFailures++;
      m?.attempts.inc({ result: 'error', profile: this.name });
      this.log.warn({ pod: q.key, node, reason: 'BindingRejected', err: err.message }, 'binding failed; retrying after backoff');
      this.cfg.events.event(pod as any, 'Warning', 'FailedScheduling', `Binding rejected: ${err.message}`);
      this.queue.addBackoff(q);
    } finally {
      this.inFlightBinds--;
      this.bindWaiters.shift()?.();
    }
  }
}
