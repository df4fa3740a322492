// A real etcd and apiserver with --authorization-mode=Node,RBAC, a token per test user and a
// kubeconfig per user, the ClusterRole aggregation controller in-process (it fills admin,
// edit and view; as system:kube-controller-manager, test/support/cluster-auth.ts), and restart() to start the apiserver anew on the same etcd. stop() ends all.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServer, type ApiServerOptions } from '@k8ts/apiserver';
import { GrpcClient, createLogger } from '@k8ts/client';
import { startControllerManager, type RunningControllerManager } from '@k8ts/controller-manager';
import { selfSignedCertificate } from '../../packages/apiserver/src/rest/index.js';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { writeClusterAuth } from '../support/cluster-auth.js';

export interface RbacCluster {
  dir: string;
  api: ApiServer;
  /** Token of each user: admin (system:masters) and the names given. */
  tokens: Record<string, string>;
  kubeconfig(user: string): string;
  grpc(user: string): GrpcClient;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** `apiserver`: more options for startApiServer (the audit log's). */
export async function startRbacCluster(users: string[], apiserver: Partial<ApiServerOptions> = {}): Promise<RbacCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-rbac-'));
  const rnd = () => Math.random().toString(36).slice(2);
  const tokens: Record<string, string> = { admin: `admin-${rnd()}` };
  for (const u of users) tokens[u] = `${u}-${rnd()}`;
  const extraLines = users.map((u) => `${tokens[u]},${u},uid-${u},""\n`).join('');
  const auth = writeClusterAuth(dir, { adminToken: tokens.admin, extraLines });
  const tls = selfSignedCertificate();
  writeFileSync(join(dir, 'tls.crt'), tls.cert);
  writeFileSync(join(dir, 'tls.key'), tls.key);
  const logger = createLogger('apiserver-rbac-test');
  logger.level = process.env.K8TS_LOG_LEVEL ?? 'warn';
  let etcd: TestEtcd | undefined;
  let api: ApiServer | undefined;
  let cm: RunningControllerManager | undefined;
  const clients: GrpcClient[] = [];
  const start = () =>
    startApiServer({
      etcdServers: [etcd!.url],
      port: 0,
      grpcPort: 0,
      ...auth.apiserver,
      tlsCertFile: join(dir, 'tls.crt'),
      tlsPrivateKeyFile: join(dir, 'tls.key'),
      logger,
      ...apiserver,
    });
  const grpcWith = (token: string) => {
    const c = new GrpcClient({ server: `127.0.0.1:${api!.grpcPort}`, token });
    clients.push(c);
    return c;
  };
  const grpc = (user: string) => grpcWith(tokens[user]!);
  const startCm = async () => {
    cm = await startControllerManager({ client: grpcWith(auth.componentToken('controller-manager')), controllers: ['clusterrole-aggregation'], leaderElect: false, opsPort: -1 });
  };
  const stopAll = async () => {
    await cm?.stop().catch(() => undefined);
    for (const c of clients.splice(0)) c.close();
    await api?.stop().catch(() => undefined);
  };
  const cluster: RbacCluster = {
    dir,
    get api() {
      return api!;
    },
    tokens,
    kubeconfig(user) {
      const path = join(dir, `kubeconfig-${user}`);
      writeFileSync(
        path,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters:',
          '- name: k8ts',
          '  cluster:',
          `    server: https://127.0.0.1:${api!.restPort}`,
          `    certificate-authority-data: ${Buffer.from(tls.cert).toString('base64')}`,
          'contexts:',
          `- name: k8ts`,
          `  context: {cluster: k8ts, user: ${user}}`,
          'current-context: k8ts',
          'users:',
          `- name: ${user}`,
          '  user:',
          `    token: ${tokens[user]}`,
          '',
        ].join('\n'),
      );
      return path;
    },
    grpc,
    async restart() {
      await stopAll();
      api = await start();
      await startCm();
    },
    async stop() {
      await stopAll();
      await etcd?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    etcd = await startEtcd();
    api = await start();
    await startCm();
    return cluster;
  } catch (e) {
    await cluster.stop();
    throw e;
  }
}
