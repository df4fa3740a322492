// The `default/kubernetes` Service and its endpoints, as kube-apiserver's controlplane
// controller keeps them: ClusterIP the first address of the service range, port 443 "https"
// to this apiserver's REST port at its advertise address. Each apiserver puts its own
// address into the Endpoints and EndpointSlice (keeping others') and takes it out on stop.
import { intToIpv4, type KubeObject } from '@k8ts/api';
import { isAlreadyExists, isConflict, isNotFound } from '@k8ts/client';
import type { Logger } from 'pino';
import type { Registry } from '../registry/types.js';
import { parseCidr } from '../allocators/cidr.js';

export interface KubernetesServiceOptions {
  serviceClusterIpRange: string;
  advertiseAddress: string;
  port: number;
  logger?: Logger;
}

const NAME = 'kubernetes';
const NS = 'default';
const PORT_NAME = 'https';
const LABELS = { component: 'apiserver', provider: 'kubernetes' };

/** The first usable address of a CIDR (10.96.0.0/16 → 10.96.0.1). */
export function firstServiceIP(cidr: string): string {
  return intToIpv4(parseCidr(cidr).base + 1);
}

async function getOrUndefined(registry: Registry, resource: string, name: string): Promise<KubeObject | undefined> {
  try {
    return await registry.get(resource, NS, name);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

async function ensureService(registry: Registry, o: KubernetesServiceOptions): Promise<void> {
  const ports = [{ name: PORT_NAME, protocol: 'TCP', port: 443, targetPort: o.port }];
  const cur = await getOrUndefined(registry, 'services', NAME);
  if (!cur) {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: NAME, namespace: NS, labels: LABELS }, spec: { type: 'ClusterIP', clusterIP: firstServiceIP(o.serviceClusterIpRange), ports, sessionAffinity: 'None' } };
    try {
      await registry.create('services', NS, svc as unknown as KubeObject);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    return;
  }
  const p = cur.spec?.ports?.[0];
  if (cur.spec?.ports?.length === 1 && p?.port === 443 && p?.targetPort === o.port && p?.name === PORT_NAME) return;
  await registry.guaranteedUpdate('services', NS, NAME, (s) => ({ ...s, spec: { ...s.spec, ports } }));
}

type Addrs = (cur: string[]) => string[];

async function upsert(registry: Registry, resource: string, make: (addrs: string[]) => KubeObject, read: (o: KubeObject) => string[], change: Addrs): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const cur = await getOrUndefined(registry, resource, NAME);
    const next = change(cur ? read(cur) : []);
    try {
      if (!cur) {
        if (next.length) await registry.create(resource, NS, make(next));
        return;
      }
      const fresh = make(next);
      if (JSON.stringify(read(cur)) === JSON.stringify(next) && JSON.stringify(fresh.subsets ?? fresh.ports) === JSON.stringify(cur.subsets ?? cur.ports)) return;
      await registry.update(resource, NS, NAME, { ...fresh, metadata: { ...fresh.metadata, resourceVersion: cur.metadata.resourceVersion } });
      return;
    } catch (e) {
      if (!isConflict(e) && !isAlreadyExists(e)) throw e;
    }
  }
}

async function reconcileEndpoints(registry: Registry, port: number, change: Addrs): Promise<void> {
  const ports = [{ name: PORT_NAME, port, protocol: 'TCP' }];
  await upsert(
    registry,
    'endpoints',
    (addrs) => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: NAME, namespace: NS, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }, subsets: addrs.length ? [{ addresses: addrs.map((ip) => ({ ip })), ports }] : [] }) as unknown as KubeObject,
    (o) => ((o.subsets as any[] | undefined) ?? []).flatMap((s) => (s?.addresses ?? []).map((a: any) => String(a?.ip))).sort(),
    change,
  );
  await upsert(
    registry,
    'endpointslices',
    (addrs) =>
      ({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: NAME, namespace: NS, labels: { 'kubernetes.io/service-name': NAME } },
        addressType: 'IPv4',
        endpoints: addrs.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
        ports,
      }) as unknown as KubeObject,
    (o) => ((o.endpoints as any[] | undefined) ?? []).flatMap((e) => e?.addresses ?? []).map(String).sort(),
    change,
  );
}

/** Makes the Service and publishes this apiserver; `stop` withdraws it. Failures are logged, not fatal. */
export async function startKubernetesService(registry: Registry, o: KubernetesServiceOptions): Promise<{ stop(): Promise<void> }> {
  const add: Addrs = (cur) => [...new Set([...cur, o.advertiseAddress])].sort();
  const reconcile = async () => {
    await ensureService(registry, o);
    await reconcileEndpoints(registry, o.port, add);
  };
  try {
    await reconcile();
  } catch (err) {
    o.logger?.warn({ err: (err as Error).message }, 'kubernetes service: reconcile failed; retrying');
  }
  // Put back what someone deleted or changed, as the controlplane controller does every 10 s.
  const timer = setInterval(() => void reconcile().catch((err) => o.logger?.warn({ err: (err as Error).message }, 'kubernetes service: reconcile failed')), 10_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await reconcileEndpoints(registry, o.port, (cur) => cur.filter((ip) => ip !== o.advertiseAddress)).catch(() => undefined);
    },
  };
}
