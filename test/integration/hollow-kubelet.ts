// A hollow node for controller tests: registers a Node, renews its Lease in kube-node-lease,
// and plays the kubelet for pods bound to it (Running + Ready with an IP, job pods succeed,
// terminating pods finished). `stop()` is an agent dying: the lease stops moving and pods
// on the node are left as they are.
import type { KubeObject, Pod } from '@k8ts/api';
import { isNotFound, type Client } from '@k8ts/client';

const micro = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
const sec = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface HollowKubeletOptions {
  /** Pods with this label succeed this long after they start (jobs). */
  succeedLabel?: string;
  succeedAfterMs?: number;
}

export class HollowKubelet {
  private timer?: NodeJS.Timeout;
  private leaseTimer?: NodeJS.Timeout;
  private nextIp = 2;
  private readonly started = new Map<string, number>();
  private busy = false;

  constructor(
    private readonly client: Client,
    readonly name: string,
    private readonly subnet: number,
    private readonly o: HollowKubeletOptions = {},
  ) {}

  async register(): Promise<void> {
    const alloc = { cpu: '8', memory: '16Gi', pods: '110' };
    const node: KubeObject = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: this.name, labels: { 'kubernetes.io/hostname': this.name } },
      spec: {},
      status: {
        capacity: alloc,
        allocatable: alloc,
        addresses: [{ type: 'InternalIP', address: `10.213.${this.subnet}.1` }],
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'hollow kubelet is posting ready status', lastHeartbeatTime: sec(), lastTransitionTime: sec() }],
      },
    };
    await this.client.create('nodes', node);
    await this.client.create('leases', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.name, namespace: 'kube-node-lease' },
      spec: { holderIdentity: this.name, leaseDurationSeconds: 40, renewTime: micro() },
    });
  }

  start(): void {
    const renew = async () => {
      try {
        const l = await this.client.get('leases', 'kube-node-lease', this.name);
        await this.client.update('leases', { ...l, spec: { ...l.spec, renewTime: micro() } });
      } catch {
        // next round
      }
      if (this.leaseTimer) this.leaseTimer = setTimeout(renew, 500);
    };
    this.leaseTimer = setTimeout(renew, 0);
    const tick = async () => {
      if (!this.busy) {
        this.busy = true;
        await this.syncPods().catch(() => undefined);
        this.busy = false;
      }
      if (this.timer) this.timer = setTimeout(tick, 100);
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
    this.timer = undefined;
    this.leaseTimer = undefined;
  }

  private async syncPods(): Promise<void> {
    // As a kubelet: only its own pods (the Node authorizer refuses a node any other pod list).
    const mine = (await this.client.list<Pod & KubeObject>('pods', { fieldSelector: `spec.nodeName=${this.name}` })).items as (Pod & KubeObject & { status?: any })[];
    for (const p of mine) {
      const ns = p.metadata.namespace!;
      const name = p.metadata.name!;
      try {
        if (p.metadata.deletionTimestamp) {
          await this.client.delete('pods', ns, name, { gracePeriodSeconds: 0, preconditions: { uid: p.metadata.uid } });
          continue;
        }
        const phase = p.status?.phase;
        if (phase === 'Succeeded' || phase === 'Failed') continue;
        if (phase !== 'Running') {
          this.started.set(p.metadata.uid!, Date.now());
          const now = sec();
          await this.client.update(
            'pods',
            {
              ...p,
              status: {
                ...(p.status ?? {}),
                phase: 'Running',
                podIP: `10.213.${this.subnet}.${this.nextIp++}`,
                hostIP: `10.213.${this.subnet}.1`,
                startTime: now,
                conditions: [
                  { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
                  { type: 'Initialized', status: 'True', lastTransitionTime: now },
                  { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
                  { type: 'Ready', status: 'True', lastTransitionTime: now },
                ],
                containerStatuses: (p.spec?.containers ?? []).map((c: { name: string; image?: string }) => ({ name: c.name, image: c.image, imageID: '', ready: true, restartCount: 0, started: true, state: { running: { startedAt: now } } })),
              },
            },
            { subresource: 'status' },
          );
          continue;
        }
        const label = this.o.succeedLabel;
        if (label && p.metadata.labels?.[label] && Date.now() - (this.started.get(p.metadata.uid!) ?? 0) > (this.o.succeedAfterMs ?? 300)) {
          const now = sec();
          await this.client.update(
            'pods',
            {
              ...p,
              status: {
                ...p.status,
                phase: 'Succeeded',
                conditions: (p.status?.conditions ?? []).map((c: { type: string }) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', reason: 'PodCompleted', lastTransitionTime: now } : c)),
                containerStatuses: (p.status?.containerStatuses ?? []).map((s: object) => ({ ...s, ready: false, state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: now } } })),
              },
            },
            { subresource: 'status' },
          );
        }
      } catch (e) {
        if (!isNotFound(e)) {
          // conflicts and the like: next tick
        }
      }
    }
  }
}
