import type { Logger } from 'pino';
import type { Registry } from '../registry/types.js';
import { CrdController } from './controller.js';

export { CrdController } from './controller.js';
export { desiredStatuses } from './status.js';

/** Starts the CRD controller (status, serving, cleanup); resolves with its stop. */
export async function startCrdController(registry: Registry, logger: Logger): Promise<() => void> {
  const crds = new CrdController(registry, logger.child({ controller: 'customresourcedefinitions' }));
  await crds.start();
  return () => crds.stop();
}
