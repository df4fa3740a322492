// The ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount): a pod runs as a
// service account that exists (the default one is waited for a moment, as the controller
// that makes it may lag a new namespace), and unless automounting is off, on the pod or
// its service account, gets the projected kube-api-access-<suffix> volume (token, ca.crt,
// namespace) mounted read-only in every container.
import { randomInt } from 'node:crypto';
import { forbidden, isNotFound, type KubeObject } from '@k8ts/api';
import type { AdmissionPlugin, AdmissionRequest } from '../registry/admission.js';
import type { Registry } from '../registry/types.js';
import type { ObjectCache } from '../serviceaccount/object-cache.js';

export const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
/** The kubelet refreshes at 80 % of a token's life; 3607 marks the admission-made volume. */
export const PROJECTED_TOKEN_SECONDS = 3607;
const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

export interface ServiceAccountAdmissionOptions {
  registry: Pick<Registry, 'get'>;
  serviceaccounts: Pick<ObjectCache, 'get'>;
  /** Attempts for the default service account (Kubernetes: 10, 100–200 ms apart). */
  defaultAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

function suffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += NAME_CHARS[randomInt(NAME_CHARS.length)];
  return s;
}

/** The projected volume Kubernetes adds (defaults filled in, as the pod is already defaulted). */
export function tokenVolume(name: string) {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: PROJECTED_TOKEN_SECONDS, path: 'token' } },
        { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

export function createServiceAccountAdmission(o: ServiceAccountAdmissionOptions): AdmissionPlugin {
  const sleep = o.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  /** automountServiceAccountToken of the service account; throws 403 when it does not exist. */
  async function lookup(ns: string, name: string, podName: string): Promise<boolean | undefined> {
    const attempts = name === 'default' ? (o.defaultAttempts ?? 10) : 1;
    for (let i = 0; ; i++) {
      const cached = o.serviceaccounts.get(ns, name);
      if (cached) return cached.automount;
      try {
        const sa = await o.registry.get('serviceaccounts', ns, name);
        return (sa as { automountServiceAccountToken?: boolean }).automountServiceAccountToken;
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      if (i + 1 >= attempts) throw forbidden('pods', podName, `error looking up service account ${ns}/${name}: serviceaccount "${name}" not found`);
      await sleep(100 + randomInt(100));
    }
  }

  return {
    name: 'ServiceAccount',
    async admit(req: AdmissionRequest): Promise<void> {
      if (req.resource !== 'pods' || req.subresource !== '' || req.operation !== 'CREATE' || !req.object) return;
      const pod = req.object as KubeObject & { spec: any };
      // Mirror pods (static pods of a node) run without the API: Kubernetes leaves them alone.
      if (pod.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined) return;
      const spec = (pod.spec ??= {});
      if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || 'default';
      spec.serviceAccount = spec.serviceAccountName;
      if (typeof spec.serviceAccountName !== 'string') return; // validation words this one
      const saAutomount = await lookup(req.namespace, spec.serviceAccountName, req.name);
      const automount = spec.automountServiceAccountToken ?? saAutomount ?? true;
      if (automount === false) return;
      mountToken(spec);
    },
  };
}

function isList(v: unknown): v is any[] {
  return Array.isArray(v);
}

/** Adds the volume once, and its mount to every container that has nothing at the mount path. */
export function mountToken(spec: any): void {
  const volumes: any[] = isList(spec.volumes) ? spec.volumes : (spec.volumes = []);
  const containers = [...(isList(spec.initContainers) ? spec.initContainers : []), ...(isList(spec.containers) ? spec.containers : [])];
  if (!containers.some((c) => c && typeof c === 'object' && needsMount(c))) return;
  let existing = volumes.find((v) => v && typeof v.name === 'string' && v.name.startsWith('kube-api-access-') && v.projected);
  if (!existing) {
    const taken = new Set(volumes.map((v) => v?.name));
    let name = `kube-api-access-${suffix()}`;
    while (taken.has(name)) name = `kube-api-access-${suffix()}`;
    existing = tokenVolume(name);
    volumes.push(existing);
  }
  for (const c of containers) {
    if (!c || typeof c !== 'object' || !needsMount(c)) continue;
    if (!isList(c.volumeMounts)) c.volumeMounts = [];
    c.volumeMounts.push({ name: existing.name, readOnly: true, mountPath: TOKEN_MOUNT_PATH });
  }
}

function needsMount(c: any): boolean {
  const mounts = isList(c.volumeMounts) ? c.volumeMounts : [];
  return !mounts.some((m: any) => m && m.mountPath === TOKEN_MOUNT_PATH);
}
