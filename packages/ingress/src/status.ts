// The Ingress status loop (sample-controller's shape: informer events → work queue → sync):
// every Ingress this controller serves carries its address in status.loadBalancer.ingress,
// so `kubectl get ing` shows it under ADDRESS; an Ingress it stops serving (its class
// changed) loses that address again. Other controllers' addresses are left alone.
import { objectKey, splitObjectKey, type KubeObject } from '@k8ts/api';
import { WorkQueue, runWorkers, type Client, type Informer } from '@k8ts/client';
import type { Logger } from 'pino';
import { isServed, type ClassSelection } from './classes.js';
import type { IngressMetrics } from './metrics.js';

export interface StatusLoopOptions {
  client: Client;
  ingresses: Informer;
  selection: () => ClassSelection;
  /** The address written (the IP clients reach the controller at). */
  address: string;
  log: Logger;
  metrics: IngressMetrics;
}

/** What status.loadBalancer.ingress should hold; undefined when it is right as it is. */
export function desiredLoadBalancer(ing: KubeObject, served: boolean, address: string): { ip?: string; hostname?: string }[] | undefined {
  const cur: any[] = (ing as any).status?.loadBalancer?.ingress ?? [];
  const ours = (e: any) => e?.ip === address && !e?.hostname;
  if (served) return cur.length === 1 && ours(cur[0]) && !cur[0].ports ? undefined : [{ ip: address }];
  return cur.some(ours) ? cur.filter((e) => !ours(e)) : undefined;
}

export class StatusLoop {
  readonly queue = new WorkQueue<string>({ name: 'ingress-status' });
  private running: Promise<void> | undefined;

  constructor(private readonly o: StatusLoopOptions) {
    o.ingresses.addEventHandler({
      onAdd: (ing) => this.queue.add(objectKey(ing)),
      onUpdate: (_old, ing) => this.queue.add(objectKey(ing)),
    });
  }

  /** Every Ingress again (an IngressClass changed, so which are served may have). */
  enqueueAll(): void {
    for (const ing of this.o.ingresses.list()) this.queue.add(objectKey(ing));
  }

  run(workers = 1): void {
    this.running = runWorkers(this.queue, workers, (key) => this.sync(key), this.o.log);
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitObjectKey(key);
    const ing = this.o.ingresses.getByName(namespace, name);
    if (!ing) return;
    const want = desiredLoadBalancer(ing, isServed(ing, this.o.selection()), this.o.address);
    if (!want) return;
    const next = structuredClone(ing) as any;
    next.status = { ...(next.status ?? {}), loadBalancer: want.length ? { ingress: want } : {} };
    try {
      await this.o.client.update('ingresses', next, { subresource: 'status' });
      this.o.metrics.statusWrites.inc({ result: 'ok' });
      this.o.log.info({ object: `ingresses/${key}`, address: want.length ? this.o.address : '', reason: want.length ? 'AddressSet' : 'AddressRemoved' }, 'ingress status updated');
    } catch (e) {
      // A Conflict is retried from the informer's newer copy, once its watch has it.
      this.o.metrics.statusWrites.inc({ result: 'error' });
      throw e;
    }
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.running;
  }
}
