// Informers on pods and nodes feeding the scheduler's handlers. Pods are watched cluster-wide:
// bound ones fill the cache, pending ones the queue.
import type { KubeObject, Node, Pod } from '@k8ts/api';
import { Informer, type Client, type Logger } from '@k8ts/client';
import type { Scheduler } from './scheduler.js';
import { withPagedLists } from './cache/paged-list.js';

export interface SchedulerInformers {
  pods: Informer<Pod & { metadata: NonNullable<Pod['metadata']> }>;
  nodes: Informer<Node & { metadata: NonNullable<Node['metadata']> }>;
  start(): void;
  waitForSync(timeoutMs?: number): Promise<boolean>;
  stop(): Promise<void>;
}

export function wireInformers(apiClient: Client, sched: Scheduler, logger: Logger): SchedulerInformers {
  const client = withPagedLists(apiClient);
  const nodes = new Informer<any>(client, { resource: 'nodes', logger });
  const pods = new Informer<any>(client, { resource: 'pods', logger });
  nodes.addEventHandler({
    onAdd: (n: Node) => sched.onNodeAdd(n),
    onUpdate: (o: Node, n: Node) => sched.onNodeUpdate(o, n),
    onDelete: (n: Node) => sched.onNodeDelete(n),
  });
  const namespaces = new Informer<any>(client, { resource: 'namespaces', logger });
  namespaces.addEventHandler({
    onAdd: (n: KubeObject) => sched.cache.setNamespace(n.metadata.name!, n.metadata.labels),
    onUpdate: (_o: KubeObject, n: KubeObject) => sched.cache.setNamespace(n.metadata.name!, n.metadata.labels),
    onDelete: (n: KubeObject) => sched.cache.removeNamespace(n.metadata.name!),
  });
  pods.addEventHandler({
    onAdd: (p: Pod) => sched.onPodAdd(p),
    onUpdate: (o: Pod, p: Pod) => sched.onPodUpdate(o, p),
    onDelete: (p: Pod) => sched.onPodDelete(p),
  });
  return {
    pods,
    nodes,
    start() {
      namespaces.start();
      nodes.start();
      pods.start();
    },
    async waitForSync(timeoutMs) {
      const all = await Promise.all([namespaces.waitForSync(timeoutMs), nodes.waitForSync(timeoutMs), pods.waitForSync(timeoutMs)]);
      return all.every(Boolean);
    },
    async stop() {
      await Promise.all([pods.stop(), nodes.stop(), namespaces.stop()]);
    },
  };
}
