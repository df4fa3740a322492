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
  // VolumeBinding's caches: claims, volumes and storage classes.
  const claims = new Informer<any>(client, { resource: 'persistentvolumeclaims', logger });
  claims.addEventHandler({
    onAdd: (c: KubeObject) => sched.onClaim(c, true),
    onUpdate: (_o: KubeObject, c: KubeObject) => sched.onClaim(c, false),
    onDelete: (c: KubeObject) => sched.volumes.deleteClaim(c),
  });
  const volumes = new Informer<any>(client, { resource: 'persistentvolumes', logger });
  volumes.addEventHandler({
    onAdd: (v: KubeObject) => sched.onVolume(v, true),
    onUpdate: (_o: KubeObject, v: KubeObject) => sched.onVolume(v, false),
    onDelete: (v: KubeObject) => sched.volumes.deleteVolume(v),
  });
  const classes = new Informer<any>(client, { resource: 'storageclasses', logger });
  classes.addEventHandler({
    onAdd: (c: KubeObject) => sched.onStorageClass(c),
    onUpdate: (_o: KubeObject, c: KubeObject) => sched.onStorageClass(c),
    onDelete: (c: KubeObject) => sched.volumes.deleteClass(c),
  });
  const storage = [claims, volumes, classes];
  pods.addEventHandler({
    onAdd: (p: Pod) => sched.onPodAdd(p),
    onUpdate: (o: Pod, p: Pod) => sched.onPodUpdate(o, p),
    onDelete: (p: Pod) => sched.onPodDelete(p),
  });
  return {
    pods,
    nodes,
    start() {
      for (const i of storage) i.start();
      namespaces.start();
      nodes.start();
      pods.start();
    },
    async waitForSync(timeoutMs) {
      const all = await Promise.all([namespaces.waitForSync(timeoutMs), nodes.waitForSync(timeoutMs), pods.waitForSync(timeoutMs), ...storage.map((i) => i.waitForSync(timeoutMs))]);
      return all.every(Boolean);
    },
    async stop() {
      await Promise.all([pods.stop(), nodes.stop(), namespaces.stop(), ...storage.map((i) => i.stop())]);
    },
  };
}
