// The classes a cluster starts with, and the admission that gives an object without a class
// the default one (upstream's DefaultIngressClass plugin and its kin).
import type { Logger } from 'pino';
import type { EtcdRegistry } from '../registry/registry.js';
import { defaultIngressClassAdmission } from '../admission/default-ingress-class.js';
import { ensureIngressClass } from './ingress-class.js';

export async function registerDefaultClasses(registry: EtcdRegistry, logger: Logger): Promise<void> {
  registry.registerAdmission(defaultIngressClassAdmission(registry));
  await ensureIngressClass(registry, logger);
}
