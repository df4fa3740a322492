// A list+watch cache of one resource: lists, then watches from the list's
// resourceVersion, relisting when the watch ends or reports an error (410 Gone).
import type { KubeObject, WatchEvent } from '@k8ts/api';
import type { Client, WatchHandle, Logger } from '@k8ts/client';

export class WatchCache<T extends KubeObject = KubeObject> {
  private readonly objects = new Map<string, T>();
  private handle?: WatchHandle;
  private stopped = false;
  private synced = false;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly client: Client,
    readonly resource: string,
    private readonly onChange: () => void,
    private readonly log?: Logger,
  ) {}

  static keyOf(o: KubeObject): string {
    return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  get(namespace: string, name: string): T | undefined {
    return this.objects.get(`${namespace}/${name}`);
  }

  /** Resolves after the first successful list; keeps retrying until then. */
  async start(): Promise<void> {
    let delay = 200;
    while (!this.stopped) {
      try {
        await this.relist();
        return;
      } catch (e) {
        this.log?.warn({ resource: this.resource, err: String(e) }, 'list failed, retrying');
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.handle?.stop();
  }

  private async relist(): Promise<void> {
    const list = await this.client.list<T>(this.resource);
    if (this.stopped) return;
    this.objects.clear();
    for (const o of list.items) this.objects.set(WatchCache.keyOf(o), o);
    this.synced = true;
    this.onChange();
    this.watchFrom(list.metadata.resourceVersion ?? '');
  }

  private watchFrom(resourceVersion: string): void {
    let rv = resourceVersion;
    let ended = false;
    const restart = (relist: boolean) => {
      if (ended || this.stopped) return;
      ended = true;
      handle.stop();
      this.retry = setTimeout(() => {
        if (this.stopped) return;
        if (relist) this.start().catch(() => {});
        else this.watchFrom(rv);
      }, relist ? 200 : 100);
    };
    const handle = this.client.watch<T>(this.resource, { resourceVersion: rv, allowBookmarks: true }, (ev: WatchEvent<T>) => {
      if (ended) return;
      if (ev.type === 'ERROR') {
        restart(true);
        return;
      }
      const o = ev.object;
      if (o?.metadata?.resourceVersion) rv = o.metadata.resourceVersion;
      if (ev.type === 'BOOKMARK') return;
      const key = WatchCache.keyOf(o);
      if (ev.type === 'DELETED') this.objects.delete(key);
      else this.objects.set(key, o);
      this.onChange();
    });
    this.handle = handle;
    handle.done.then(
      () => restart(false),
      () => restart(true),
    );
  }
}
