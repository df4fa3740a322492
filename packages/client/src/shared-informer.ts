// Informers shared by the controllers of one process (client-go's SharedInformerFactory),
// and waiting for a set of informers to sync.
import type { KubeObject } from '@k8ts/api';
import type { Client } from './types.js';
import { Informer, type InformerOptions } from './informer.js';

/** Waits until every informer has synced (false if one stopped or the timeout passed). */
export async function waitForCacheSync(informers: Informer<any>[], timeoutMs?: number): Promise<boolean> {
  const results = await Promise.all(informers.map((i) => i.waitForSync(timeoutMs)));
  return results.every(Boolean);
}

export interface SharedInformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/**
 * One informer per resource+namespace+selectors, shared by every controller of a process
 * (client-go's SharedInformerFactory). Informers asked for after `start()` start at once.
 */
export class SharedInformerFactory {
  private readonly informers = new Map<string, Informer<any>>();
  private started = false;

  constructor(
    private readonly client: Client,
    private readonly opts: { resyncPeriodMs?: number; logger?: InformerOptions['logger'] } = {},
  ) {}

  informerFor<T extends KubeObject = KubeObject>(resource: string, o: SharedInformerOptions = {}): Informer<T> {
    const id = JSON.stringify([resource, o.namespace ?? '', o.labelSelector ?? '', o.fieldSelector ?? '']);
    let inf = this.informers.get(id);
    if (!inf) {
      inf = new Informer<T>(this.client, { resource, ...o, resyncPeriodMs: this.opts.resyncPeriodMs, logger: this.opts.logger });
      this.informers.set(id, inf);
      if (this.started) inf.start();
    }
    return inf as Informer<T>;
  }

  start(): void {
    this.started = true;
    for (const i of this.informers.values()) i.start();
  }

  waitForSync(timeoutMs?: number): Promise<boolean> {
    return waitForCacheSync([...this.informers.values()], timeoutMs);
  }

  all(): Informer<any>[] {
    return [...this.informers.values()];
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
