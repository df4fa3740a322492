// The two plugins kube-apiserver enables by default that read namespace policy objects:
// LimitRanger (limitranges) and ResourceQuota (resourcequotas), over in-memory caches of them.
import type { Logger } from 'pino';
import type { Registry } from '../registry/types.js';
import { NamespacedObjects } from './namespaced-objects.js';
import { createLimitRanger } from './limit-ranger.js';
import { createResourceQuotaAdmission } from './resource-quota.js';

/** Starts the caches and registers both plugins; the returned function stops the caches. */
export async function registerQuotaAndLimits(registry: Registry, logger?: Logger): Promise<() => void> {
  const limitranges = new NamespacedObjects(registry, 'limitranges', logger);
  const quotas = new NamespacedObjects(registry, 'resourcequotas', logger);
  try {
    await Promise.all([limitranges.start(), quotas.start()]);
  } catch (err) {
    limitranges.close();
    quotas.close();
    throw err;
  }
  registry.registerAdmission(createLimitRanger(limitranges));
  registry.registerAdmission(createResourceQuotaAdmission(registry, quotas));
  return () => {
    limitranges.close();
    quotas.close();
  };
}
