// The Service address allocators, plugged into the registry as hooks on "services".
import type { Etcd3 } from 'etcd3';
import type { KubeObject } from '@k8ts/api';
import { isNotFound } from '@k8ts/client';
import type { Registry } from '../registry/types.js';
import { ServiceAllocators, type ServiceAllocatorOptions } from './service-allocators.js';
import { EtcdRangeStore, isRangeStore, type RangeStore } from './range-store.js';

export { ServiceAllocators, SERVICE_IP_PREFIX, NODE_PORT_PREFIX, LB_IP_PREFIX, heldBy, ownerOf } from './service-allocators.js';
export type { ServiceAllocatorOptions } from './service-allocators.js';
export { EtcdRangeStore, MemoryRangeStore, type RangeStore, type Allocation } from './range-store.js';

export interface ServiceAllocatorHandle {
  allocators: ServiceAllocators;
  /** Runs one repair pass now (frees allocations no stored Service holds). */
  repair(): Promise<number>;
  stop(): void;
}

/**
 * Registers beforeCreate/beforeUpdate/afterDelete hooks for "services" on the registry.
 * `storage`: the apiserver's etcd3 client (keys under /registry/ranges/) or any RangeStore.
 */
export function registerServiceAllocators(
  registry: Registry,
  storage: Etcd3 | RangeStore,
  opts: ServiceAllocatorOptions & { repairIntervalMs?: number; verifyDelayMs?: number } = {},
): ServiceAllocatorHandle {
  const store = isRangeStore(storage) ? storage : new EtcdRangeStore(storage);
  const allocators = new ServiceAllocators(store, opts);
  const getService = async (ns: string, name: string): Promise<KubeObject | undefined> => {
    try {
      return await registry.get('services', ns, name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  };
  const timers = new Set<NodeJS.Timeout>();
  const verifyDelay = opts.verifyDelayMs ?? 3000;
  // After each write, look again at what it took or dropped once the write has landed.
  const scheduleVerify = () => {
    const items = allocators.pending.splice(0);
    if (!items.length) return;
    const t = setTimeout(() => {
      timers.delete(t);
      allocators.repair(getService, items).catch(() => allocators.pending.push(...items));
    }, verifyDelay);
    t.unref();
    timers.add(t);
  };
  registry.registerHooks('services', {
    async beforeCreate(obj) {
      try {
        await allocators.onCreate(obj);
      } finally {
        scheduleVerify();
      }
    },
    async beforeUpdate(obj, old) {
      try {
        await allocators.onUpdate(obj, old);
      } finally {
        scheduleVerify();
      }
    },
    async afterDelete(obj) {
      await allocators.onDelete(obj);
    },
  });
  const repair = () => allocators.repair(getService);
  const interval = setInterval(() => void repair().catch(() => {}), opts.repairIntervalMs ?? 60_000);
  interval.unref();
  return {
    allocators,
    repair,
    stop() {
      clearInterval(interval);
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
