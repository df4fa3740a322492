// The default classes a new cluster has, made at apiserver start when missing: the
// StorageClass `local-path` and the IngressClass `k8ts`.
import type { Logger } from 'pino';
import type { Registry } from '../registry/types.js';
import { ensureDefaultStorageClass } from './default-storage-class.js';
import { ensureIngressClass } from './ingress-class.js';

export async function ensureDefaultClasses(registry: Pick<Registry, 'get' | 'create'>, logger?: Logger): Promise<void> {
  await ensureDefaultStorageClass(registry);
  await ensureIngressClass(registry, logger);
}
