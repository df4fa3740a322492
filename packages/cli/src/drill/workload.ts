// The workload a drill runs: a Deployment of the hello web server (answers with its pod name,
// readiness probe every second) and a ClusterIP Service in a namespace of the drill's own.
import type { Client } from '@k8ts/client';
import { isNotFound } from '@k8ts/client';
import { isPodReady, type KubeObject, type Pod } from '@k8ts/api';

export const APP_LABEL = 'k8ts-drill';

export interface Workload {
  namespace: string;
  name: string;
  replicas: number;
}

/** Ready and not terminating: a drill counts only pods that will go on serving. */
export function podReady(p: Pod): boolean {
  return !p.metadata?.deletionTimestamp && isPodReady(p);
}

export async function deployWorkload(c: Client, w: Workload): Promise<void> {
  await c.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: w.namespace, labels: { 'k8ts.io/drill': w.name } } });
  await c.create('deployments', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: w.name, namespace: w.namespace, labels: { app: APP_LABEL } },
    spec: {
      replicas: w.replicas,
      selector: { matchLabels: { app: APP_LABEL } },
      template: {
        metadata: { labels: { app: APP_LABEL } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'hello',
              image: 'k8ts/hello:1.0',
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 },
            },
          ],
        },
      },
    },
  } as KubeObject);
  await c.create('services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: w.name, namespace: w.namespace },
    spec: { selector: { app: APP_LABEL }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  } as KubeObject);
}

export async function workloadPods(c: Client, w: Workload): Promise<Pod[]> {
  return (await c.list<Pod & KubeObject>('pods', { namespace: w.namespace, labelSelector: `app=${APP_LABEL}` })).items;
}

export async function serviceIp(c: Client, w: Workload): Promise<string> {
  const svc = await c.get<KubeObject & { spec?: { clusterIP?: string } }>('services', w.namespace, w.name);
  if (!svc.spec?.clusterIP) throw new Error(`service ${w.namespace}/${w.name} has no ClusterIP`);
  return svc.spec.clusterIP;
}

/** Deletes the namespace (and with it everything the drill made) and waits until it is gone. */
export async function removeWorkload(c: Client, w: Workload, timeoutMs = 60_000): Promise<boolean> {
  try {
    await c.delete('namespaces', '', w.namespace);
  } catch (e) {
    if (isNotFound(e)) return true;
    throw e;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await c.get('namespaces', '', w.namespace);
    } catch (e) {
      if (isNotFound(e)) return true;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}
