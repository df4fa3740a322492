// Node lifecycle (pkg/controller/nodelifecycle) with its taint manager and the orphan part
// of pod GC. A node whose Lease (kube-node-lease) and Ready heartbeat have not moved for the
// grace period becomes Ready=Unknown and gets the unreachable NoExecute taint (not-ready
// when its agent reports Ready=False); pods on a NoExecute-tainted node are deleted once
// their toleration runs out. Tainting and evictions are rate limited, and when every node
// looks dead at once (a control-plane hiccup, not a real outage) nothing is tainted.
import type { Lease, Node, Pod, Taint } from '@k8ts/api';
import { conditionTaintKeys, isConditionTaint } from './condition-taints.js';
import { isNotFound, isConflict } from '@k8ts/client';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';
import { unwrap } from '../framework/tombstone.js';
import { AgentDisconnectedAtAnnotation, NodeLeaseNamespace, deepCopy, noExecuteTaints, nodeReadyCondition, objectKey, rfc3339, splitObjectKey, TaintNodeNotReady as NotReadyTaintKey, TaintNodeUnreachable as UnreachableTaintKey, TokenBucket, tolerationMs } from '@k8ts/api';

export { NodeLeaseNamespace };

export interface NodeLifecycleListers {
  nodes: Lister<Node>;
  leases: Lister<Lease>;
  pods: Lister<Pod>;
}

interface Health {
  probeMs: number;
  leaseRenew?: string;
  heartbeat?: string;
  /** The Lease's AgentDisconnectedAtAnnotation, and when this controller first saw that value. */
  disconnectedAt?: string;
  disconnectSeenMs?: number;
}

export type ZoneState = 'Normal' | 'PartialDisruption' | 'FullDisruption';

export class NodeLifecycleController {
  static readonly controllerName = 'nodelifecycle';
  private readonly now: () => number;
  private readonly health = new Map<string, Health>();
  private readonly scheduled = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly taintLimiter: TokenBucket;
  private readonly evictionLimiter: TokenBucket;
  private readonly evictQueue: string[] = [];
  private evictTimer?: NodeJS.Timeout;
  private monitorTimer?: NodeJS.Timeout;
  private monitoring = false;
  private readonly missingNodeSince = new Map<string, number>();
  /** When this controller added a NoExecute taint to a node (ms). */
  private readonly taintedAt = new Map<string, number>();
  zoneState: ZoneState = 'Normal';

  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: NodeLifecycleListers,
    private readonly queue: Queue,
  ) {
    this.now = ctx.now ?? Date.now;
    this.taintLimiter = new TokenBucket(ctx.options.evictionRate, Math.max(1, Math.ceil(ctx.options.evictionRate)), this.now);
    this.evictionLimiter = new TokenBucket(ctx.options.evictionRate, Math.max(1, Math.ceil(ctx.options.evictionRate)), this.now);
  }

  start(): void {
    const tick = () => {
      void this.monitor()
        .catch((e) => this.ctx.logger.warn({ err: String(e) }, 'node health pass failed'))
        .finally(() => {
          if (this.monitorTimer) this.monitorTimer = setTimeout(tick, this.ctx.options.nodeMonitorPeriodMs);
        });
    };
    this.monitorTimer = setTimeout(tick, 0);
  }

  stop(): void {
    if (this.monitorTimer) clearTimeout(this.monitorTimer);
    this.monitorTimer = undefined;
    if (this.evictTimer) clearTimeout(this.evictTimer);
    this.evictTimer = undefined;
    for (const s of this.scheduled.values()) clearTimeout(s.timer);
    this.scheduled.clear();
  }

  // ---- informer handlers: the taint manager reacts at once to taint and pod changes ----
  onNode = (node: Node) => this.queue.add(objectKey(node));
  updateNode = (_o: Node, node: Node) => this.queue.add(objectKey(node));
  deleteNode = (obj: unknown) => {
    const n = unwrap<Node>(obj);
    if (n) {
      this.health.delete(n.metadata.name!);
      this.taintedAt.delete(n.metadata.name!);
    }
  };
  onPod = (pod: Pod) => this.processPod(pod);
  updatePod = (_o: Pod, pod: Pod) => this.processPod(pod);
  deletePod = (obj: unknown) => {
    const p = unwrap<Pod>(obj);
    if (p) this.cancel(objectKey(p));
  };
  /** Leases are read by the periodic pass; a renewal needs no immediate work. */
  onLease = () => {};

  /** Work-queue sync for a node: re-evaluate the pods on it against its taints. */
  async sync(key: string): Promise<void> {
    const { name } = splitObjectKey(key);
    for (const pod of this.podsOn(name)) this.processPod(pod);
  }

  private podsOn(nodeName: string): Pod[] {
    return this.listers.pods.list().filter((p) => p.spec?.nodeName === nodeName);
  }

  // ---- health ----
  /** One pass over all nodes (monitorNodeHealth). Exposed for tests. */
  async monitor(): Promise<void> {
    if (this.monitoring) return;
    this.monitoring = true;
    try {
      const now = this.now();
      const nodes = this.listers.nodes.list();
      const unhealthy = new Set<string>();
      const stale = new Set<string>();
      for (const node of nodes) {
        const name = node.metadata.name!;
        const h = this.health.get(name) ?? { probeMs: now };
        const lease = this.listers.leases.get(NodeLeaseNamespace, name);
        const renew = lease?.spec?.renewTime ?? undefined;
        if (renew !== h.leaseRenew) {
          h.leaseRenew = renew;
          h.probeMs = now;
        }
        const ready = nodeReadyCondition(node);
        if (ready?.lastHeartbeatTime !== h.heartbeat && ready?.reason !== 'NodeStatusUnknown') {
          h.heartbeat = ready?.lastHeartbeatTime;
          h.probeMs = now;
        }
        const disconnectedAt = lease?.metadata?.annotations?.[AgentDisconnectedAtAnnotation];
        if (disconnectedAt !== h.disconnectedAt) {
          h.disconnectedAt = disconnectedAt;
          h.disconnectSeenMs = now;
        }
        this.health.set(name, h);
        if (now - h.probeMs > this.ctx.options.nodeMonitorGracePeriodMs || this.disconnected(h, now)) stale.add(name);
        if (stale.has(name) || ready?.status === 'False') unhealthy.add(name);
      }
      this.zoneState = computeZoneState(nodes.length, unhealthy.size, this.ctx.options.unhealthyZoneThreshold);
      const rate = this.zoneState === 'PartialDisruption' ? this.ctx.options.secondaryEvictionRate : this.ctx.options.evictionRate;
      this.taintLimiter.setRate(rate);
      this.evictionLimiter.setRate(rate);
      await Promise.all(nodes.map((n) => this.reconcileNode(n, stale.has(n.metadata.name!)).catch((e) => this.logError(n, e))));
      await this.collectOrphanPods(nodes);
    } finally {
      this.monitoring = false;
    }
  }

  /**
   * The apiserver saw the agent's stream end after its last Lease renewal (both times of the
   * apiserver's clock), and neither the Lease nor the heartbeat moved for the disconnect grace
   * period since this controller saw that: the agent is gone, not slow. A live agent whose
   * stream broke reconnects and renews well within it.
   */
  private disconnected(h: Health, now: number): boolean {
    const grace = this.ctx.options.nodeDisconnectGracePeriodMs;
    if (!grace || !h.disconnectedAt || h.disconnectSeenMs === undefined) return false;
    if (h.leaseRenew && Date.parse(h.leaseRenew) >= Date.parse(h.disconnectedAt)) return false;
    return h.probeMs <= h.disconnectSeenMs && now - h.disconnectSeenMs > grace;
  }

  private logError(node: Node, e: unknown) {
    if (isConflict(e)) return; // next pass retries with a fresh cache
    this.ctx.logger.warn({ object: node.metadata.name, err: String(e) }, 'node update failed');
  }

  private async reconcileNode(node: Node, stale: boolean): Promise<void> {
    let cur = node;
    const ready = nodeReadyCondition(cur);
    let podsNotReady = false;
    if (stale && ready?.status !== 'Unknown') {
      cur = await this.markUnknown(cur);
      this.ctx.recorder.event(cur, 'Normal', 'NodeNotReady', `Node ${cur.metadata.name} status is now: NodeNotReady`);
      this.ctx.logger.info({ object: cur.metadata.name, reason: 'NodeStatusUnknown' }, 'node stopped posting status');
      podsNotReady = true;
    } else if (!stale && ready?.status === 'False' && !hasTaint(cur, NotReadyTaintKey, 'NoExecute')) {
      podsNotReady = true;
    }
    const wantKey = this.zoneState === 'FullDisruption' ? undefined : stale ? UnreachableTaintKey : nodeReadyCondition(cur)?.status === 'False' ? NotReadyTaintKey : undefined;
    // The taint first: it starts the toleration clocks; pod readiness follows in parallel.
    await Promise.all([this.setTaints(cur, wantKey), podsNotReady ? this.markPodsNotReady(cur.metadata.name!) : undefined]);
  }

  private async markUnknown(node: Node): Promise<Node> {
    const next = deepCopy(node);
    const now = rfc3339(this.now());
    const types = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];
    const conds = [...(next.status?.conditions ?? [])];
    for (const type of types) {
      const i = conds.findIndex((c) => c.type === type);
      const old = i >= 0 ? conds[i] : undefined;
      if (old?.status === 'Unknown') continue;
      const c = {
        type,
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
        lastHeartbeatTime: old?.lastHeartbeatTime ?? now,
        lastTransitionTime: now,
      };
      if (i >= 0) conds[i] = c;
      else if (type === 'Ready') conds.push(c);
    }
    next.status = { ...(next.status ?? {}), conditions: conds };
    return this.ctx.client.update<Node>('nodes', next, { subresource: 'status' });
  }

  /** nodeutil.MarkPodsNotReady: endpoints drop the pods of a node that went away. */
  private async markPodsNotReady(nodeName: string): Promise<void> {
    await Promise.all(
      this.podsOn(nodeName).map(async (pod) => {
        const conds = pod.status?.conditions ?? [];
        const i = conds.findIndex((c) => c.type === 'Ready');
        if (i < 0 || conds[i]!.status === 'False') return;
        const next = deepCopy(pod);
        next.status!.conditions![i] = { ...conds[i]!, status: 'False', lastTransitionTime: rfc3339(this.now()) };
        try {
          await this.ctx.client.update('pods', next, { subresource: 'status' });
          this.ctx.recorder.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
        } catch (e) {
          if (!isNotFound(e) && !isConflict(e)) throw e;
        }
      }),
    );
  }

  private async setTaints(node: Node, wantKey: string | undefined): Promise<void> {
    const ours = [UnreachableTaintKey, NotReadyTaintKey];
    const taints = node.spec?.taints ?? [];
    const byCondition = conditionTaintKeys(node);
    const keep = taints.filter((t) => (!ours.includes(t.key) || (t.key === wantKey && (t.effect === 'NoExecute' || t.effect === 'NoSchedule'))) && !(isConditionTaint(t) && !byCondition.includes(t.key)));
    const next: Taint[] = [...keep];
    for (const key of byCondition) if (!keep.some((t) => t.key === key && t.effect === 'NoSchedule')) next.push({ key, effect: 'NoSchedule' });
    if (wantKey) {
      const hasNoExec = keep.some((t) => t.key === wantKey && t.effect === 'NoExecute');
      if (!hasNoExec) {
        // Adding a NoExecute taint starts evictions: rate limited (zone state sets the rate).
        if (!this.taintLimiter.tryAccept()) return;
        this.taintedAt.set(node.metadata.name!, this.now());
        next.push({ key: wantKey, effect: 'NoExecute', timeAdded: rfc3339(this.now()) });
      }
      if (!keep.some((t) => t.key === wantKey && t.effect === 'NoSchedule')) next.push({ key: wantKey, effect: 'NoSchedule' });
    }
    if (!next.some((t) => t.effect === 'NoExecute' && ours.includes(t.key))) this.taintedAt.delete(node.metadata.name!);
    if (next.length === taints.length && next.every((t, i) => t === taints[i])) return;
    const updated = deepCopy(node);
    updated.spec = { ...(updated.spec ?? {}), taints: next };
    if (next.length === 0) delete updated.spec.taints;
    const stored = await this.ctx.client.update<Node>('nodes', updated);
    this.ctx.logger.info({ object: node.metadata.name, taint: wantKey ?? null }, wantKey ? 'tainted node' : 'removed node taints');
    for (const pod of this.podsOn(node.metadata.name!)) this.processPod(pod, stored);
  }

  // ---- taint manager ----
  processPod(pod: Pod, nodeOverride?: Node): void {
    const key = objectKey(pod);
    const nodeName = pod.spec?.nodeName;
    if (!nodeName || pod.metadata.deletionTimestamp) return this.cancel(key);
    const node = nodeOverride ?? this.listers.nodes.get('', nodeName);
    const taints = noExecuteTaints(node?.spec?.taints);
    if (!taints.length) return this.cancel(key);
    const ms = tolerationMs(taints, pod.spec?.tolerations);
    if (ms === Infinity) return this.cancel(key);
    if (this.scheduled.has(key)) return;
    // The toleration clock starts when the taint was added: known to the millisecond for
    // taints this controller added, otherwise when this controller first sees the pod on the
    // tainted node (Kubernetes' taint manager uses its own clock too; timeAdded only has
    // second precision and would evict up to a second early).
    const node2 = node?.metadata.name ?? nodeName;
    const added = this.taintedAt.get(node2) ?? this.now();
    const at = Math.max(this.now(), added + ms);
    const timer = setTimeout(() => this.enqueueEviction(key), at - this.now());
    timer.unref?.();
    this.scheduled.set(key, { at, timer });
  }

  private cancel(key: string): void {
    const s = this.scheduled.get(key);
    if (!s) return;
    clearTimeout(s.timer);
    this.scheduled.delete(key);
  }

  /** When a pod is due for eviction (ms since epoch), or undefined. For tests. */
  evictionDue(key: string): number | undefined {
    return this.scheduled.get(key)?.at;
  }

  private enqueueEviction(key: string): void {
    this.evictQueue.push(key);
    this.pumpEvictions();
  }

  private pumpEvictions(): void {
    if (this.evictTimer) return;
    const step = () => {
      this.evictTimer = undefined;
      while (this.evictQueue.length) {
        const wait = this.evictionLimiter.waitMs();
        if (wait > 0) {
          this.evictTimer = setTimeout(step, Math.min(wait, 1000));
          this.evictTimer.unref?.();
          return;
        }
        this.evictionLimiter.tryAccept();
        const key = this.evictQueue.shift()!;
        void this.evict(key).catch((e) => this.ctx.logger.warn({ object: key, err: String(e) }, 'eviction failed'));
      }
    };
    step();
  }

  /** Re-checks the pod against the current cache, then deletes it gracefully. */
  async evict(key: string): Promise<void> {
    this.scheduled.delete(key);
    const { namespace, name } = splitObjectKey(key);
    const pod = this.listers.pods.get(namespace, name);
    if (!pod || pod.metadata.deletionTimestamp || !pod.spec?.nodeName) return;
    const taints = noExecuteTaints(this.listers.nodes.get('', pod.spec.nodeName)?.spec?.taints);
    if (!taints.length || tolerationMs(taints, pod.spec.tolerations) === Infinity) return;
    this.ctx.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    try {
      await this.ctx.client.delete('pods', namespace, name, { preconditions: { uid: pod.metadata.uid } });
      this.ctx.logger.info({ object: key, node: pod.spec.nodeName, reason: 'TaintManagerEviction' }, 'evicted pod');
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }

  // ---- pod GC: pods bound to nodes that no longer exist ----
  private async collectOrphanPods(nodes: Node[]): Promise<void> {
    const names = new Set(nodes.map((n) => n.metadata.name));
    const now = this.now();
    const seen = new Set<string>();
    for (const pod of this.listers.pods.list()) {
      const n = pod.spec?.nodeName;
      if (!n || names.has(n)) continue;
      seen.add(n);
      const since = this.missingNodeSince.get(n) ?? now;
      this.missingNodeSince.set(n, since);
      if (now - since < 2 * this.ctx.options.nodeMonitorPeriodMs) continue;
      try {
        await this.ctx.client.get('nodes', '', n);
        continue; // only our cache lags
      } catch (e) {
        if (!isNotFound(e)) continue;
      }
      try {
        await this.ctx.client.delete('pods', pod.metadata.namespace!, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
        this.ctx.logger.info({ object: objectKey(pod), node: n, reason: 'PodGC' }, 'deleted pod bound to a missing node');
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) this.ctx.logger.warn({ object: objectKey(pod), err: String(e) }, 'pod gc failed');
      }
    }
    for (const n of [...this.missingNodeSince.keys()]) if (!seen.has(n)) this.missingNodeSince.delete(n);
  }
}

function hasTaint(node: Node, key: string, effect: string): boolean {
  return (node.spec?.taints ?? []).some((t) => t.key === key && t.effect === effect);
}

/** Kubernetes' zone states: all nodes unhealthy is FullDisruption (stop evicting: likely the
 * control plane's own problem); more than 2 and at least the threshold is PartialDisruption. */
export function computeZoneState(total: number, unhealthy: number, threshold: number): ZoneState {
  if (total > 0 && unhealthy === total) return 'FullDisruption';
  if (unhealthy > 2 && unhealthy / total >= threshold) return 'PartialDisruption';
  return 'Normal';
}
