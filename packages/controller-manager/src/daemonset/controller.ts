// The DaemonSet controller: one pod on every node the DaemonSet fits, created pinned to the
// node through node affinity (as Kubernetes does) and bound directly (spec.nodeName), so a
// daemon pod does not wait for the scheduler.
import type { DaemonSet, KubeObject, Node, Pod } from '@k8ts/api';
import { isNotFound } from '@k8ts/client';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';
import { Expectations } from '../framework/expectations.js';
import { deletePods } from '../framework/pod-deletion.js';
import { claimObjects } from '../framework/ref-manager.js';
import { podFromTemplate } from '../framework/pod-template.js';
import { unwrap } from '../framework/tombstone.js';
import { byCreation, jsonEqual, newControllerRef } from '../util/objects.js';
import { pinToNode, shouldRunOn, targetNode } from './placement.js';
import { controllerRef, deepCopy, isPodAvailable, isPodReady, labelsMatchSelector, objectKey, splitObjectKey } from '@k8ts/api';

export const TemplateGenerationLabel = 'pod-template-generation';

export class DaemonSetController {
  static readonly controllerName = 'daemonset';
  readonly expectations: Expectations;
  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: { daemonsets: Lister<DaemonSet & KubeObject>; pods: Lister<Pod>; nodes: Lister<Node> },
    private readonly queue: Queue,
  ) {
    this.expectations = new Expectations(ctx.now);
  }

  onDaemonSet = (ds: KubeObject) => this.queue.add(objectKey(ds));
  deleteDaemonSet = (obj: unknown) => {
    const ds = unwrap(obj);
    if (ds) this.expectations.delete(objectKey(ds));
  };
  onNode = (obj: unknown) => {
    if (!unwrap(obj)) return;
    for (const ds of this.listers.daemonsets.list()) this.queue.add(objectKey(ds));
  };
  onPod = (pod: Pod) => {
    const ds = this.owner(pod);
    if (!ds) return;
    if (!pod.metadata.deletionTimestamp) this.expectations.creationObserved(objectKey(ds));
    else this.expectations.deletionObserved(objectKey(ds), objectKey(pod));
    this.queue.add(objectKey(ds));
  };
  updatePod = (_o: Pod, pod: Pod) => this.onPod(pod);
  deletePod = (obj: unknown) => {
    const pod = unwrap<Pod>(obj);
    const ds = pod && this.owner(pod);
    if (!pod || !ds) return;
    this.expectations.deletionObserved(objectKey(ds), objectKey(pod));
    this.queue.add(objectKey(ds));
  };
  private owner(pod: Pod) {
    const ref = controllerRef(pod);
    if (ref?.kind !== 'DaemonSet') return undefined;
    const ds = this.listers.daemonsets.get(pod.metadata.namespace ?? '', ref.name);
    return ds?.metadata.uid === ref.uid ? ds : undefined;
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitObjectKey(key);
    const ds = this.listers.daemonsets.get(namespace, name);
    if (!ds) {
      this.expectations.delete(key);
      return;
    }
    const pods = await claimObjects<Pod>(this.listers.pods.list(namespace), {
      client: this.ctx.client,
      owner: ds,
      ownerResource: 'daemonsets',
      ownerRef: newControllerRef(ds, 'apps/v1', 'DaemonSet'),
      resource: 'pods',
      match: (p) => labelsMatchSelector(p.metadata.labels, ds.spec?.selector),
    });
    const byNode = new Map<string, Pod[]>();
    for (const p of pods) {
      const n = targetNode(p.spec);
      if (!n) continue;
      if (!byNode.has(n)) byNode.set(n, []);
      byNode.get(n)!.push(p);
    }
    const nodes = this.listers.nodes.list();
    const generation = String(ds.metadata.generation ?? 1);
    const toCreate: string[] = [];
    const toDelete: Pod[] = [];
    const outdated: Pod[] = [];
    for (const node of nodes) {
      const n = node.metadata.name!;
      const mine = (byNode.get(n) ?? []).filter((p) => !p.metadata.deletionTimestamp);
      const should = shouldRunOn(node, ds.spec!.template.spec!);
      if (!should) {
        toDelete.push(...mine);
        continue;
      }
      // Failed daemon pods are replaced.
      const failed = mine.filter((p) => p.status?.phase === 'Failed');
      toDelete.push(...failed);
      const live = mine.filter((p) => p.status?.phase !== 'Failed').sort(byCreation);
      if (live.length === 0 && (byNode.get(n) ?? []).every((p) => !p.metadata.deletionTimestamp || p.status?.phase === 'Failed')) toCreate.push(n);
      if (live.length > 1) toDelete.push(...live.slice(1));
      if (live[0] && live[0].metadata.labels?.[TemplateGenerationLabel] !== generation) outdated.push(live[0]);
    }
    // Pods on nodes that no longer exist go too.
    const known = new Set(nodes.map((n) => n.metadata.name));
    for (const [n, ps] of byNode) if (!known.has(n)) toDelete.push(...ps.filter((p) => !p.metadata.deletionTimestamp));

    // RollingUpdate: replace outdated pods, at most maxUnavailable at a time.
    if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && outdated.length) {
      const maxUnavailable = Number(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1) || 1;
      const unavailable = pods.filter((p) => !p.metadata.deletionTimestamp && !isPodReady(p)).length;
      // Outdated pods that are not ready cost nothing to replace; ready ones only within budget.
      toDelete.push(...outdated.filter((p) => !isPodReady(p)));
      toDelete.push(...outdated.filter((p) => isPodReady(p)).slice(0, Math.max(0, maxUnavailable - unavailable)));
    }

    if (this.expectations.satisfied(key) && !ds.metadata.deletionTimestamp) await this.manage(ds, key, toCreate, [...new Set(toDelete)]);
    await this.updateStatus(ds, nodes, byNode);
  }

  private async manage(ds: DaemonSet & KubeObject, key: string, nodes: string[], victims: Pod[]): Promise<void> {
    this.expectations.expectCreations(key, nodes.length);
    const ref = newControllerRef(ds, 'apps/v1', 'DaemonSet');
    const errors: unknown[] = [];
    await Promise.all([
      ...nodes.map(async (n) => {
        const pod = podFromTemplate(ds.spec!.template, ds.metadata.namespace!, `${ds.metadata.name}-`, ref);
        pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [TemplateGenerationLabel]: String(ds.metadata.generation ?? 1) };
        pod.spec = { ...pinToNode(pod.spec!, n), nodeName: n };
        try {
          const created = await this.ctx.client.create<Pod>('pods', pod);
          this.ctx.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
        } catch (e) {
          this.expectations.lowerCreations(key);
          this.ctx.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${e instanceof Error ? e.message : String(e)}`);
          errors.push(e);
        }
      }),
      deletePods(this.ctx, ds, this.expectations, key, victims).then((failed) => void errors.push(...failed)),
    ]);
    if (errors.length) throw errors[0];
  }

  private async updateStatus(ds: DaemonSet & KubeObject, nodes: Node[], byNode: Map<string, Pod[]>): Promise<void> {
    let desired = 0;
    let current = 0;
    let misscheduled = 0;
    let ready = 0;
    let available = 0;
    let updated = 0;
    const generation = String(ds.metadata.generation ?? 1);
    for (const node of nodes) {
      const should = shouldRunOn(node, ds.spec!.template.spec!);
      const live = (byNode.get(node.metadata.name!) ?? []).filter((p) => !p.metadata.deletionTimestamp);
      if (should) desired++;
      if (!live.length) continue;
      if (!should) {
        misscheduled++;
        continue;
      }
      current++;
      const p = live.sort(byCreation)[0]!;
      if (isPodReady(p)) ready++;
      if (isPodAvailable(p, ds.spec?.minReadySeconds ?? 0)) available++;
      if (p.metadata.labels?.[TemplateGenerationLabel] === generation) updated++;
    }
    const status = {
      ...(ds.status ?? {}),
      desiredNumberScheduled: desired,
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      numberReady: ready,
      numberAvailable: available,
      numberUnavailable: Math.max(0, desired - available),
      updatedNumberScheduled: updated,
      observedGeneration: ds.metadata.generation,
    };
    if (status.numberAvailable === 0) delete (status as Record<string, unknown>).numberAvailable;
    if (status.numberUnavailable === 0) delete (status as Record<string, unknown>).numberUnavailable;
    if (jsonEqual(ds.status ?? {}, status)) return;
    const next = deepCopy(ds);
    next.status = status;
    try {
      await this.ctx.client.update('daemonsets', next, { subresource: 'status' });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
