// Watches pods of the drill's namespace, nodes, events and the control plane's Leases through
// informers, and turns what changes into timeline marks.
import { Informer, type Client } from '@k8ts/client';
import { isNodeReady as nodeReady, type KubeObject, type Node, type Pod } from '@k8ts/api';
import { podReady } from './workload.js';
import type { Timeline } from './timeline.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

type Ev = KubeObject & { reason?: string; message?: string; involvedObject?: { kind?: string; name?: string; namespace?: string }; type?: string };
type LeaseObj = KubeObject & { spec?: { holderIdentity?: string } };

function noExecute(n: Node): string[] {
  return (n.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute').map((t) => t.key);
}

export class Observer {
  readonly pods: Informer<Pod & KubeObject>;
  readonly nodes: Informer<Node & KubeObject>;
  private readonly events: Informer<Ev>;
  private readonly leases: Informer<LeaseObj>;
  /** Pods that existed before the fault: the rest are replacements. */
  private before = new Set<string>();
  readonly startedAt = Date.now();

  constructor(
    client: Client,
    private readonly namespace: string,
    private readonly tl: Timeline,
  ) {
    this.pods = new Informer<Pod & KubeObject>(client, { resource: 'pods', namespace, logger: quiet });
    this.nodes = new Informer<Node & KubeObject>(client, { resource: 'nodes', logger: quiet });
    this.events = new Informer<Ev>(client, { resource: 'events', logger: quiet });
    this.leases = new Informer<LeaseObj>(client, { resource: 'leases', namespace: 'kube-system', logger: quiet });
  }

  async start(): Promise<void> {
    this.pods.onUpdate((o, n) => this.pod(o, n)).onAdd((p) => this.pod(undefined, p)).onDelete((p) => this.gone(p));
    this.nodes.onUpdate((o, n) => this.node(o, n));
    this.events.onAdd((e) => this.event(e));
    this.leases.onUpdate((o, n) => {
      const was = o.spec?.holderIdentity ?? '';
      const now = n.spec?.holderIdentity ?? '';
      if (was !== now && now) this.tl.add('leader', `${n.metadata.name}: ${now} leads${was ? ` (was ${was})` : ''}`);
    });
    for (const i of [this.pods, this.nodes, this.events, this.leases]) i.start();
    await Promise.all([this.pods, this.nodes, this.events, this.leases].map((i) => i.waitForSync(30_000)));
  }

  /** From now on, new pods are replacements. */
  markBaseline(): void {
    this.before = new Set(this.pods.list().map((p) => p.metadata.name!));
  }

  private pod(old: (Pod & KubeObject) | undefined, p: Pod & KubeObject): void {
    if (this.tl.faultAt === undefined) return;
    const name = p.metadata.name!;
    const where = p.spec?.nodeName ? ` on ${p.spec.nodeName}` : '';
    if (!this.before.has(name)) {
      this.tl.addOnce(`created/${name}`, 'replacement-created', `pod ${name} created`);
      if (p.spec?.nodeName) this.tl.addOnce(`bound/${name}`, 'scheduled', `pod ${name} scheduled${where}`);
      if (p.status?.phase === 'Running') this.tl.addOnce(`running/${name}`, 'running', `pod ${name} Running${where}`);
      if (podReady(p)) this.tl.addOnce(`ready/${name}`, 'ready', `pod ${name} Ready${where}`);
    }
    if (p.metadata.deletionTimestamp && !old?.metadata.deletionTimestamp) this.tl.addOnce(`evicted/${name}`, 'eviction', `pod ${name}${where} deleted (Terminating)`);
    if (old && podReady(old) && !podReady(p) && !p.metadata.deletionTimestamp) this.tl.addOnce(`notready/${name}`, 'pod-not-ready', `pod ${name}${where} marked not Ready`);
  }

  private gone(p: Pod & KubeObject): void {
    if (this.tl.faultAt === undefined) return;
    this.tl.addOnce(`removed/${p.metadata.name}`, 'pod-removed', `pod ${p.metadata.name}${p.spec?.nodeName ? ` on ${p.spec.nodeName}` : ''} removed`);
  }

  private node(o: Node & KubeObject, n: Node & KubeObject): void {
    if (this.tl.faultAt === undefined) return;
    const name = n.metadata.name;
    if (nodeReady(o) && !nodeReady(n)) this.tl.add('node-not-ready', `node ${name} NotReady`);
    if (!nodeReady(o) && nodeReady(n)) this.tl.add('node-ready', `node ${name} Ready`);
    const was = noExecute(o);
    const now = noExecute(n);
    for (const k of now.filter((k) => !was.includes(k))) this.tl.add('taint', `node ${name} tainted ${k}:NoExecute`);
    for (const k of was.filter((k) => !now.includes(k))) this.tl.add('untainted', `node ${name} taint ${k} removed`);
  }

  private event(e: Ev): void {
    if (this.tl.faultAt === undefined) return;
    const io = e.involvedObject ?? {};
    if (io.namespace && io.namespace !== this.namespace && io.kind !== 'Node') return;
    if (!io.namespace && io.kind !== 'Node') return;
    this.tl.add('event', `${e.type ?? 'Normal'} ${e.reason ?? ''} ${io.kind ?? ''}/${io.name ?? ''}: ${e.message ?? ''}`.trim());
  }

  async stop(): Promise<void> {
    await Promise.all([this.pods, this.nodes, this.events, this.leases].map((i) => i.stop()));
  }
}
