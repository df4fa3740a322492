// What the soak needs inside the cluster before the abuse starts: the workload behind a
// Service (k8ts/hello, pinned, in a namespace of its own), users outside system:masters with
// client certificates (`k8ts kubeconfig --user`) allowed to edit the flood namespace, a
// service account with a bound token, and the fuzz namespace.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import http from 'node:http';
import { ApiClient, type Identity } from './http.js';
import type { SoakCluster } from './cluster.js';

export const NS = { app: 'soak-app', flood: 'soak-flood', fuzz: 'soak-fuzz' } as const;
const IMAGE = 'k8ts/hello:1.0';
const FLOODERS = 'soak-flooders';

export interface Prepared {
  users: Identity[];
  serviceAccount: Identity;
  /** The workload Service's ClusterIP (port 80). */
  vip: string;
}

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const v = await fn().catch((e) => void (last = e));
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export function httpStatus(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', reject);
  });
}

async function user(c: SoakCluster, name: string): Promise<Identity> {
  const file = join(c.home, `${name}.kubeconfig`);
  await c.k8ts('kubeconfig', '--user', name, '--group', FLOODERS, '--out', file);
  const text = readFileSync(file, 'utf8');
  const data = (field: string) => Buffer.from(new RegExp(`${field}: (\\S+)`).exec(text)![1]!, 'base64').toString('utf8');
  return { name, cert: data('client-certificate-data'), key: data('client-key-data') };
}

function workload(replicas: number): unknown[] {
  const labels = { app: 'soak-hello' };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'hello', namespace: NS.app },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'hello', image: IMAGE, ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 } }] } },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'hello', namespace: NS.app }, spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } },
  ];
}

export async function prepare(c: SoakCluster, replicas: number): Promise<Prepared> {
  const admin = new ApiClient(c.server, c.ca, { name: 'admin', token: c.adminToken });
  try {
    for (const ns of Object.values(NS)) await admin.json('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const [deploy, svc] = workload(replicas);
    await admin.json('POST', `/apis/apps/v1/namespaces/${NS.app}/deployments`, deploy);
    const service = await admin.json('POST', `/api/v1/namespaces/${NS.app}/services`, svc);
    const users = [];
    for (let i = 1; i <= 3; i++) users.push(await user(c, `soak-user-${i}`));
    const rb = (name: string, subjects: unknown[]) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace: NS.flood }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects });
    await admin.json('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS.flood}/rolebindings`, rb('flooders-edit', [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: FLOODERS }]));
    await admin.json('POST', `/api/v1/namespaces/${NS.flood}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'soak-sa' } });
    await admin.json('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS.flood}/rolebindings`, rb('sa-edit', [{ kind: 'ServiceAccount', name: 'soak-sa', namespace: NS.flood }]));
    const tr = await admin.json('POST', `/api/v1/namespaces/${NS.flood}/serviceaccounts/soak-sa/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 24 * 3600 } });
    const vip = service.spec.clusterIP as string;
    await eventually(`${replicas} ready endpoints of the workload`, async () => {
      const ep = await admin.json('GET', `/api/v1/namespaces/${NS.app}/endpoints/hello`);
      return (ep.subsets ?? []).reduce((n: number, s: any) => n + (s.addresses?.length ?? 0), 0) >= replicas ? true : undefined;
    }, 180_000);
    await eventually('the Service answering at its ClusterIP', async () => ((await httpStatus(`http://${vip}/`, 2000)) === 200 ? true : undefined), 60_000);
    return { users, serviceAccount: { name: 'system:serviceaccount:soak-flood:soak-sa', token: tr.status.token }, vip };
  } finally {
    admin.close();
  }
}
