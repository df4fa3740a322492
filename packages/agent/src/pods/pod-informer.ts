// List+watch of the pods bound to this node, kept in a map by uid. A broken or expired
// watch relists, so the cache converges after any outage of the apiserver.
import type { Pod } from '@k8ts/api';
import type { Client, Logger } from '@k8ts/client';

export interface PodInformerHandlers {
  onUpsert(pod: Pod, old: Pod | undefined): void;
  onDelete(pod: Pod): void;
  onSynced?(): void;
}

export class PodInformer {
  readonly pods = new Map<string, Pod>();
  synced = false;
  private stopped = false;
  private handle: { stop(): void } | undefined;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: Client,
    private readonly nodeName: string,
    private readonly h: PodInformerHandlers,
    private readonly log?: Logger,
  ) {}

  start(): void {
    void this.relist();
  }

  stop(): void {
    this.stopped = true;
    this.handle?.stop();
    if (this.retry) clearTimeout(this.retry);
  }

  private mine(p: Pod): boolean {
    return p.spec?.nodeName === this.nodeName;
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    let rv: string;
    try {
      const list = await this.client.list<Pod>('pods', { fieldSelector: `spec.nodeName=${this.nodeName}` });
      rv = list.metadata?.resourceVersion ?? '';
      const seen = new Set<string>();
      for (const p of list.items) {
        if (!this.mine(p)) continue;
        const uid = p.metadata?.uid ?? '';
        seen.add(uid);
        const old = this.pods.get(uid);
        this.pods.set(uid, p);
        if (!old || old.metadata?.resourceVersion !== p.metadata?.resourceVersion) this.h.onUpsert(p, old);
      }
      for (const [uid, p] of this.pods) {
        if (!seen.has(uid)) {
          this.pods.delete(uid);
          this.h.onDelete(p);
        }
      }
      if (!this.synced) {
        this.synced = true;
        this.h.onSynced?.();
      }
    } catch (e) {
      this.log?.warn({ err: (e as Error).message }, 'listing pods failed; retrying');
      this.retry = setTimeout(() => void this.relist(), 1000);
      return;
    }
    this.watch(rv);
  }

  private watch(rv: string): void {
    if (this.stopped) return;
    let expired = false;
    const handle = this.client.watch<Pod>('pods', { fieldSelector: `spec.nodeName=${this.nodeName}`, resourceVersion: rv, allowBookmarks: true }, (ev) => {
      if (ev.type === 'ERROR') {
        expired = true;
        return;
      }
      if (ev.type === 'BOOKMARK') return;
      const p = ev.object;
      const uid = p.metadata?.uid ?? '';
      if (ev.type === 'DELETED' || !this.mine(p)) {
        const old = this.pods.get(uid);
        if (old) {
          this.pods.delete(uid);
          this.h.onDelete(p);
        }
        return;
      }
      const old = this.pods.get(uid);
      this.pods.set(uid, p);
      this.h.onUpsert(p, old);
    });
    this.handle = handle;
    void handle.done.then(() => {
      if (this.stopped) return;
      this.log?.debug({ expired }, 'pod watch ended; relisting');
      this.retry = setTimeout(() => void this.relist(), expired ? 0 : 200);
    });
  }
}
