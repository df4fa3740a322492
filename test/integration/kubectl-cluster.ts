// A real etcd (test/support/etcd.ts) and the real apiserver (startApiServer: registry, gRPC face,
// agent tunnel, REST over TLS since kubectl sends tokens only over TLS), plus a kubeconfig
// holding an admin token: what the kubectl tests drive. Authorization is on as in `k8ts up`
// (Node,RBAC; test/support/cluster-auth.ts): the kubeconfig's user is in system:masters, the
// components a test starts take tokenFor their own identity. Everything started here is
// stopped by stop().
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { startApiServer, type ApiServer } from '@k8ts/apiserver';
import { createLogger } from '@k8ts/client';
import { selfSignedCertificate } from '../../packages/apiserver/src/rest/index.js';
export { freePort } from '../support/ports.js';
import { startEtcd } from '../support/etcd.js';
import { createTestPki, type Identity, type TestPki } from '../support/identities.js';
import { writeClusterAuth } from '../support/cluster-auth.js';

export interface KubectlCluster {
  dir: string;
  kubeconfig: string;
  token: string;
  restUrl: string;
  grpcAddress: string;
  api: ApiServer;
  /** With `pki`: the cluster CA (serving certificate, client certificates), --client-ca-file, gRPC over TLS. */
  pki?: TestPki;
  /**
   * The token of a component's identity (scheduler, controller-manager, proxy, dns, and the
   * nodes named in the options): a component started with it runs as itself, not as the admin.
   */
  tokenFor(id: Identity): string;
  /** What the components and nodes were refused (403), from the apiserver's audit log; read after stop(). */
  componentRefusals(): string[];
  stop(): Promise<void>;
}

export interface KubectlClusterOptions {
  /**
   * A cluster CA (test/support/identities.ts): the serving certificate is signed by it,
   * client certificates it signs authenticate (--client-ca-file), and gRPC serves TLS too.
   */
  pki?: boolean;
  /** More lines for the token CSV. */
  extraTokens?: string;
  /** Nodes that get a token of their own (system:node:<name>); default node-1..node-3. */
  nodes?: string[];
  /** The text of an --admission-control-config-file to start the apiserver with. */
  admissionConfig?: string;
  /** --enable-bootstrap-token-auth (bootstrap-join). */
  enableBootstrapTokenAuth?: boolean;
  /** --metric-resolution in ms (metrics-hpa: scrapes every second). */
  metricResolutionMs?: number;
}

export interface KubectlRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  /** kubectl 1.<minor> (27–33 are installed); default 32. */
  minor?: number;
  /** Written to its stdin. */
  input?: string;
  /** Another kubeconfig (a recording proxy's) instead of the cluster's. */
  kubeconfig?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

export const kubectlBin = (minor = 32) => `/usr/lib/google-cloud-sdk/bin/kubectl.1.${minor}`;

/** A HOME per kubectl version under the cluster's dir: kubectl caches discovery and OpenAPI there. */
export function kubectlHome(cluster: Pick<KubectlCluster, 'dir'>, minor = 32): string {
  const home = join(cluster.dir, `home-1.${minor}`);
  mkdirSync(home, { recursive: true });
  return home;
}

/** The real kubectl against the cluster; resolves with its exit code and output, never rejects. */
export function runKubectl(cluster: Pick<KubectlCluster, 'dir' | 'kubeconfig'>, args: string[], opts: KubectlOptions = {}): Promise<KubectlRun> {
  const minor = opts.minor ?? 32;
  return new Promise((resolve) => {
    const child = execFile(
      kubectlBin(minor),
      ['--kubeconfig', opts.kubeconfig ?? cluster.kubeconfig, ...args],
      { env: { PATH: process.env.PATH, HOME: kubectlHome(cluster, minor), ...opts.env }, timeout: opts.timeoutMs ?? 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

/** runKubectl that must exit 0; its stdout. */
export async function kubectlOk(cluster: Pick<KubectlCluster, 'dir' | 'kubeconfig'>, args: string[], opts: KubectlOptions = {}): Promise<string> {
  const r = await runKubectl(cluster, args, opts);
  assert.equal(r.code, 0, `kubectl 1.${opts.minor ?? 32} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export async function startKubectlCluster(opts: KubectlClusterOptions = {}): Promise<KubectlCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-kubectl-'));
  if (opts.admissionConfig !== undefined) writeFileSync(join(dir, 'admission-config.yaml'), opts.admissionConfig);
  const token = 'admin-token-' + Math.random().toString(36).slice(2);
  const auth = writeClusterAuth(dir, { adminToken: token, nodes: opts.nodes ?? ['node-1', 'node-2', 'node-3'], extraLines: opts.extraTokens });
  // Read after stop() removed dir: kept in memory then.
  let refusals: string[] | undefined;
  const componentRefusals = () => refusals ?? auth.componentRefusals();
  const pki = opts.pki ? createTestPki(join(dir, 'pki')) : undefined;
  const tls = pki ? { cert: pki.servingCertPem, key: '' } : selfSignedCertificate();
  if (!pki) {
    writeFileSync(join(dir, 'tls.crt'), tls.cert);
    writeFileSync(join(dir, 'tls.key'), tls.key, { mode: 0o600 });
  }
  const certFile = pki?.servingCertFile ?? join(dir, 'tls.crt');
  const keyFile = pki?.servingKeyFile ?? join(dir, 'tls.key');
  const etcd = await startEtcd();
  const logger = createLogger('apiserver-test');
  logger.level = process.env.K8TS_LOG_LEVEL ?? 'warn';
  let api: ApiServer | undefined;
  const stop = async () => {
    await api?.stop().catch(() => undefined);
    await etcd.stop();
    refusals = auth.componentRefusals();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    api = await startApiServer({
      etcdServers: [etcd.url],
      port: 0,
      grpcPort: 0,
      ...auth.apiserver,
      tlsCertFile: certFile,
      tlsPrivateKeyFile: keyFile,
      ...(pki ? { clientCaFile: pki.caFile, grpcTlsCertFile: certFile, grpcTlsPrivateKeyFile: keyFile } : {}),
      admissionControlConfigFile: opts.admissionConfig !== undefined ? join(dir, 'admission-config.yaml') : undefined,
      enableBootstrapTokenAuth: opts.enableBootstrapTokenAuth,
      metricResolutionMs: opts.metricResolutionMs,
      logger,
    });
    const restUrl = `https://127.0.0.1:${api.restPort}`;
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: k8ts',
        '  cluster:',
        `    server: ${restUrl}`,
        `    certificate-authority-data: ${Buffer.from(pki?.ca.certPem ?? tls.cert).toString('base64')}`,
        'contexts:',
        '- name: k8ts',
        '  context: {cluster: k8ts, user: admin}',
        'current-context: k8ts',
        'users:',
        '- name: admin',
        '  user:',
        `    token: ${token}`,
        '',
      ].join('\n'),
    );
    return { dir, kubeconfig, token, restUrl, grpcAddress: `127.0.0.1:${api.grpcPort}`, api, pki, tokenFor: auth.tokenFor, componentRefusals, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
