// Feeds the graph from the registry, as graph_populator.go does from informers: a list of
// pods (and PersistentVolumes, when this apiserver serves them), then a watch from the
// list's revision. A watch that ends (etcd compacted past it) is listed again; what the new
// list no longer holds is dropped from the graph.
import type { KubeObject, WatchEvent } from '@k8ts/api';
import type { Logger } from 'pino';
import type { Registry, RegistryWatch } from '../../registry/types.js';
import type { NodeGraph } from './graph.js';

interface Feed {
  resource: string;
  apply(ev: WatchEvent): void;
  retain(keep: Set<string>): void;
  keyOf(o: KubeObject): string;
}

export class GraphPopulator {
  private readonly watches = new Map<string, RegistryWatch>();
  private stopped = false;
  /** Retry waits in progress: stop() ends them, so `ready` settles. */
  private waits = new Map<NodeJS.Timeout, () => void>();
  /** Settles once the first list of every resource is in the graph. */
  readonly ready: Promise<void>;

  constructor(
    private readonly registry: Registry,
    private readonly graph: NodeGraph,
    private readonly logger?: Logger,
  ) {
    this.ready = Promise.all([this.start(this.podFeed()), this.start(this.pvFeed(), true)]).then(() => undefined);
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watches.values()) w.stop();
    this.watches.clear();
    for (const [t, wake] of this.waits) {
      clearTimeout(t);
      wake();
    }
    this.waits.clear();
  }

  private podFeed(): Feed {
    const g = this.graph;
    return {
      resource: 'pods',
      keyOf: (o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`,
      apply: (ev) => {
        if (ev.type === 'DELETED') g.deletePod(ev.object.metadata?.namespace ?? '', ev.object.metadata?.name ?? '');
        else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') g.setPod(ev.object);
      },
      retain: (keep) => g.retainPods(keep),
    };
  }

  private pvFeed(): Feed {
    const g = this.graph;
    return {
      resource: 'persistentvolumes',
      keyOf: (o) => o.metadata?.name ?? '',
      apply: (ev) => {
        if (ev.type === 'DELETED') g.deletePV(ev.object.metadata?.name ?? '');
        else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') g.setPV(ev.object);
      },
      retain: (keep) => g.retainPVs(keep),
    };
  }

  /** Lists, then watches; retried every second while the list fails (etcd away). */
  private async start(feed: Feed, optional = false): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        const list = await this.registry.list(feed.resource, {});
        if (this.stopped) return;
        const keep = new Set<string>();
        for (const o of list.items) {
          keep.add(feed.keyOf(o));
          feed.apply({ type: 'ADDED', object: o });
        }
        feed.retain(keep);
        this.watches.get(feed.resource)?.stop();
        const w = this.registry.watch(feed.resource, { resourceVersion: list.metadata.resourceVersion }, (ev) => this.onEvent(feed, ev));
        this.watches.set(feed.resource, w);
        return;
      } catch (err) {
        // A resource this apiserver does not serve feeds nothing.
        if (optional && (err as { code?: number }).code === 404) return;
        if (attempt % 10 === 0) this.logger?.warn({ resource: feed.resource, err: (err as Error).message }, 'node authorizer graph: list failed; retrying');
        await new Promise<void>((r) => {
          const t = setTimeout(() => (this.waits.delete(t), r()), 1000);
          t.unref();
          this.waits.set(t, r);
        });
      }
    }
  }

  private onEvent(feed: Feed, ev: WatchEvent): void {
    if (ev.type === 'ERROR') {
      if (!this.stopped) void this.start(feed);
      return;
    }
    feed.apply(ev);
  }
}
