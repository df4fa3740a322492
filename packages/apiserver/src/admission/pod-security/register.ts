// Wires Pod Security into a registry: the admission configuration file read (its errors stop
// the apiserver's start), the PodSecurity plugin over the registry's namespaces and pods, and
// the refusal of fields the agent cannot honour.
import type { Logger } from 'pino';
import type { KubeObject } from '@k8ts/api';
import { ApiError } from '@k8ts/client';
import type { Registry } from '../../registry/types.js';
import { loadAdmissionConfigFile, PRIVILEGED_DEFAULTS, type PodSecurityConfig } from './config.js';
import { PodSecurityAdmission } from './plugin.js';
import { UnsupportedPodFieldsAdmission } from './unsupported-fields.js';

/** The configuration of --admission-control-config-file, or upstream's defaults without one. */
export function loadPodSecurityConfig(file: string | undefined): PodSecurityConfig {
  return file ? loadAdmissionConfigFile(file) : PRIVILEGED_DEFAULTS;
}

export function registerPodSecurity(registry: Registry, opts: { config?: PodSecurityConfig; logger?: Logger } = {}): PodSecurityConfig {
  const config = opts.config ?? PRIVILEGED_DEFAULTS;
  registry.registerAdmission(new UnsupportedPodFieldsAdmission());
  registry.registerAdmission(
    new PodSecurityAdmission({
      config,
      logger: opts.logger,
      async getNamespace(name: string): Promise<KubeObject | undefined> {
        // From the namespace cache (this apiserver's own namespace updates reach it at once),
        // else etcd: an etcd read on every pod create cost 536–558 against 376–462 µs of
        // apiserver CPU per pod created at c64 (2026-12-08).
        const cached = registry.cachedNamespace(name);
        if (cached) return cached;
        try {
          return await registry.get('namespaces', '', name);
        } catch (err) {
          if (err instanceof ApiError && err.code === 404) return undefined;
          throw err;
        }
      },
      async listPods(namespace: string): Promise<KubeObject[]> {
        return (await registry.list('pods', { namespace })).items;
      },
    }),
  );
  return config;
}
