// startApiServer: etcd client, registry, system namespaces, Service allocators, the gRPC
// face and the REST face (when src/rest/ provides createRestServer).
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import { collectDefaultMetrics } from 'prom-client';
import { createLogger, type Logger } from '@k8ts/client';
import { createEtcdClient, readEtcdTls } from '../storage/etcd-client.js';
import { Store } from '../storage/store.js';
import { EtcdKv } from '../storage/etcd-kv.js';
import { EtcdRegistry } from '../registry/registry.js';
import { startCrdController } from '../crd/index.js';
import type { Authenticate } from '../auth/authenticate.js';
import { createAuthentication } from '../auth/configure.js';
import { startBootstrapTokenAuthenticator } from '../auth/bootstrap-token.js';
import { registerCertificates } from '../certificates/index.js';
import type { AuthenticatorChain } from '../auth/chain.js';
import { startGrpcServer, type GrpcTls } from '../grpc/server.js';
import type { AgentStreamHandler } from '../grpc/context.js';
import { ApiServerMetrics } from './metrics.js';
import { createRestServer } from '../rest/index.js';
import type { StreamTunnel } from '../tunnel/types.js';
import { startAgentTunnel, type MetricsApiFlags } from './agent-tunnel.js';
import { registerServiceAllocators } from '../allocators/index.js';
import { installLeanAsyncResourceBind } from '../storage/async-resource-bind.js';
import { registerQuotaAndLimits } from '../admission/quota-and-limits.js';
import { optionalAdmissionPlugins } from '../admission/plugins.js';
import { setValueTransformer } from '../storage/codec.js';
import { loadEncryptionConfig, ValueTransformer } from '../storage/encryption/index.js';
import { createNodeRestriction } from '../admission/node-restriction.js';
import { registerStorageAdmission } from '../admission/storage.js';
import { ensureDefaultClasses } from './cluster-defaults.js';
import { loadPodSecurityConfig, registerPodSecurity } from '../admission/pod-security/index.js';
import { setupServiceAccounts, type ServiceAccountOptions } from './service-accounts.js';
import { startKubernetesService } from './kubernetes-service.js';
import { closeHttp, isLoopback, listenWhenAvailable } from './listen.js';
import { defaultIngressClassAdmission } from '../admission/default-ingress-class.js';
import { startAuthorization, type Authorization } from '../authz/index.js';
import { registerReviews, type ReviewDeps } from '../reviews/index.js';
import type { Attributes } from '../authz/types.js';
import type { RequestUser } from '../registry/types.js';
import { createImpersonator } from '../auth/impersonation.js';
import { auditPolicyOf, openAuditLog, type AuditLogFlags } from './audit-log.js';
import type { AuditLog } from '../audit/log.js';
import { RequestLimiter, registerFlowControlMetrics } from '../flowcontrol/index.js';

export interface ApiServerOptions extends ServiceAccountOptions, AuditLogFlags, MetricsApiFlags {
  /** etcd client URLs; https:// ones are dialled over TLS with the --etcd-* files below. */
  etcdServers: string[];
  /** kube-apiserver's --etcd-cafile: the CA etcd's serving certificates chain to. */
  etcdCaFile?: string;
  /** kube-apiserver's --etcd-certfile and --etcd-keyfile: the client certificate etcd asks for (--client-cert-auth). */
  etcdCertFile?: string;
  etcdKeyFile?: string;
  /** The registry's reads and writes from a thread of their own (EtcdThread; default), not the serving thread. */
  etcdClientThread?: boolean;
  /**
   * kube-apiserver's --max-requests-inflight and --max-mutating-requests-inflight: their sum
   * is the seats the priority levels share (as API Priority and Fairness uses them). 0 for both
   * turns the limit off (kube-apiserver's --enable-priority-and-fairness=false with no limit).
   */
  maxRequestsInflight?: number;
  maxMutatingRequestsInflight?: number;
  /** REST port; 0 picks a free one. */
  port: number;
  /** gRPC port; 0 picks a free one. */
  grpcPort: number;
  host?: string;
  tokenAuthFile?: string;
  /** kube-apiserver's --enable-bootstrap-token-auth: kube-system bootstrap token Secrets authenticate. */
  enableBootstrapTokenAuth?: boolean;
  defaultTolerationSeconds?: number;
  serviceClusterIpRange?: string;
  loadBalancerPool?: string;
  logger?: Logger;
  /** The agent tunnel; by default a new one from src/tunnel/. */
  tunnel?: AgentStreamHandler & StreamTunnel;
  /** Serve REST over TLS with this certificate and key (PEM files), as kube-apiserver's --tls-cert-file. */
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** --encryption-provider-config: an EncryptionConfiguration file (encryption at rest). */
  encryptionProviderConfig?: string;
  /** --enable-admission-plugins: optional admission plugins by name (DenyServiceExternalIPs). */
  enableAdmissionPlugins?: string;
  /**
   * kube-apiserver's --client-ca-file: client certificates signed by this CA authenticate
   * (CN = user, O = groups) on REST and, when gRPC serves TLS, on gRPC.
   */
  clientCaFile?: string;
  /** Serve gRPC over TLS with this certificate and key (may be the REST pair); plaintext without them. */
  grpcTlsCertFile?: string;
  grpcTlsPrivateKeyFile?: string;
  /** Interval of watch BOOKMARK events (default 5 s). */
  bookmarkIntervalMs?: number;
  /** kube-apiserver's --admission-control-config-file (the PodSecurity plugin's configuration). */
  admissionControlConfigFile?: string;
  /**
   * --advertise-address: where pods reach this apiserver; the `default/kubernetes` Service's
   * endpoint. When the bind address is loopback, REST also listens here (pods cannot reach
   * 127.0.0.1). Without it no `kubernetes` Service is made.
   */
  advertiseAddress?: string;
  /** --authorization-mode: comma list of AlwaysAllow, AlwaysDeny, Node, RBAC (default AlwaysAllow, as kube-apiserver). */
  authorizationMode?: string;
  /** What the access reviews and impersonation ask (default AlwaysAllow); tests pass a table. */
  authorizer?: Pick<ReviewDeps, 'authorize' | 'rulesFor'>;
}

export interface ApiServer {
  registry: EtcdRegistry;
  /** The agent tunnel both faces share (agents attach over gRPC, REST opens pod streams). */
  tunnel: AgentStreamHandler & StreamTunnel;
  authenticate: Authenticate;
  /** The authenticator chain: other authenticators (bootstrap tokens, service accounts) are added to it. */
  authentication: AuthenticatorChain;
  metrics: ApiServerMetrics;
  /** The authorizer chain both faces ask (and the reviews answer from). */
  authorization: Authorization;
  restPort: number;
  grpcPort: number;
  stop(): Promise<void>;
}

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const logger = opts.logger ?? createLogger('apiserver');
  // Every etcd call is an HTTP/2 request, and Node's request binds a function (see the file).
  installLeanAsyncResourceBind();
  const host = opts.host ?? '127.0.0.1';
  const metrics = new ApiServerMetrics();
  collectDefaultMetrics({ register: metrics.registry });
  const admissionPlugins = optionalAdmissionPlugins(opts.enableAdmissionPlugins);
  const encryption = opts.encryptionProviderConfig ? new ValueTransformer(loadEncryptionConfig(opts.encryptionProviderConfig)) : undefined;
  setValueTransformer(encryption);
  // Read before anything starts: a bad file stops the apiserver with its message.
  const podSecurity = loadPodSecurityConfig(opts.admissionControlConfigFile);
  const auditPolicy = auditPolicyOf(opts);
  const storage = openStorage(opts, logger, metrics);
  const { store, registry } = storage;
  registry.registerAdmission(createNodeRestriction({ registry }));
  registerStorageAdmission(registry);
  const authentication = createAuthentication({ tokenAuthFile: opts.tokenAuthFile, clientCaFile: opts.clientCaFile });
  const authenticate = authentication.authenticate;
  const tls = readTls(opts);
  const grpcTls = readGrpcTls(opts, tls);
  registerPodSecurity(registry, { config: podSecurity, logger });
  const audit = openAuditLog(opts, auditPolicy, logger, metrics.registry);
  const limiter = requestLimiter(opts);
  if (limiter) registerFlowControlMetrics(limiter, metrics.registry);
  const cleanups: (() => Promise<void> | void)[] = [];
  // Closed last: the faces' final requests are written.
  if (audit) cleanups.push(() => audit.close());
  try {
    await waitForEtcd(store, logger);
    await registry.ensureSystemNamespaces();
    await ensureDefaultClasses(registry, logger);
    await registry.startNamespaceCache();
    cleanups.push(await startCrdController(registry, logger));
    registry.registerAdmission(defaultIngressClassAdmission(registry));
    for (const p of admissionPlugins) registry.registerAdmission(p);
    const allocators = registerServiceAllocators(registry, storage.etcd, {
      serviceClusterIpRange: opts.serviceClusterIpRange,
      loadBalancerPool: opts.loadBalancerPool,
    });
    cleanups.push(() => allocators.stop());
    const { authorization, authorizer } = await startAccessControl(registry, opts, authentication, logger, metrics, cleanups);
    // Last, as upstream orders them: ResourceQuota charges only what every other plugin let through.
    cleanups.push(await registerQuotaAndLimits(registry, logger));

    const tunnel = startAgentTunnel(opts, registry, logger, cleanups);
    const grpcServer = await startGrpcServer({ registry, authenticate, metrics, logger, tunnel, authorization, audit, limiter }, host, opts.grpcPort, grpcTls);
    cleanups.push(() => grpcServer.stop());

    const rest: RestParts = { registry, authenticate, logger, metrics, tunnel, tls, authorization, impersonate: createImpersonator(authorizer.authorize), audit, limiter };
    const http = await listenRest(rest, host, opts.port);
    cleanups.push(() => closeHttp(http));
    const restPort = (http.address() as { port: number }).port;
    await serveAdvertised(opts, rest, host, restPort, cleanups);
    logger.info({ restPort, grpcPort: grpcServer.port, etcd: opts.etcdServers }, 'apiserver serving');
    let stopped = false;
    return {
      registry,
      tunnel,
      authenticate,
      authentication,
      metrics,
      authorization,
      restPort,
      grpcPort: grpcServer.port,
      async stop() {
        if (stopped) return;
        stopped = true;
        await runCleanups(cleanups);
        await storage.close();
        if (encryption) setValueTransformer(undefined);
      },
    };
  } catch (err) {
    await runCleanups(cleanups);
    await storage.close();
    throw err;
  }
}

/**
 * Who may do what: the extra authenticators (bootstrap tokens, service account tokens), the
 * authorizer chain (--authorization-mode), the access reviews, and the CSR signer checks that
 * ask it.
 */
async function startAccessControl(registry: EtcdRegistry, opts: ApiServerOptions, authentication: AuthenticatorChain, logger: Logger, metrics: ApiServerMetrics, cleanups: (() => Promise<void> | void)[]) {
  if (opts.enableBootstrapTokenAuth) {
    const bootstrap = await startBootstrapTokenAuthenticator(registry, logger);
    cleanups.push(() => bootstrap.close());
    authentication.add(bootstrap.authenticator);
  }
  const serviceAccounts = await setupServiceAccounts(registry, opts, logger);
  cleanups.push(() => serviceAccounts.stop());
  if (serviceAccounts.authenticator) authentication.add(serviceAccounts.authenticator);
  const authorization = await startAuthorization({ registry, modes: opts.authorizationMode, logger, metricsRegistry: metrics.registry });
  cleanups.push(() => authorization.stop());
  registerCertificates(registry, (a) => authorization.authorize(a));
  // The reviews and impersonation ask the chain (tests may hand them a decision table instead).
  const authorizer = opts.authorizer ?? { authorize: (a: Attributes) => authorization.authorize(a), rulesFor: (u: RequestUser, ns: string) => authorization.rulesFor(u, ns) };
  registerReviews(registry, { ...authorizer, authenticate: (c) => authentication.authenticate(c) });
  return { authorization, authorizer };
}

/** The etcd clients, the store over them and the registry over the store. */
function openStorage(opts: ApiServerOptions, logger: Logger, metrics: ApiServerMetrics) {
  const tls = readEtcdTls(opts.etcdServers, { caFile: opts.etcdCaFile, certFile: opts.etcdCertFile, keyFile: opts.etcdKeyFile });
  const etcdClient = (watches: string) =>
    createEtcdClient({
      servers: opts.etcdServers,
      tls,
      onWatchStreamReset: (err) => logger.warn({ watches, reason: err.message }, 'etcd watch stream reset: the client lost track of a watch; its watches resume'),
    });
  const etcd = etcdClient('shared');
  const dedicatedWatches = etcdClient('dedicated');
  const kv = new EtcdKv({ servers: opts.etcdServers, tls, thread: opts.etcdClientThread ?? true });
  const store = new Store(etcd, (op, s) => metrics.etcdDuration.observe({ operation: op }, s), kv, logger);
  store.dedicatedWatches = dedicatedWatches;
  const registry = new EtcdRegistry({
    store,
    defaultTolerationSeconds: opts.defaultTolerationSeconds ?? 2,
    logger,
    watch: {
      bookmarkIntervalMs: opts.bookmarkIntervalMs,
      logger,
      onWatchCount: (resource, delta) => metrics.watchers.inc({ resource }, delta),
    },
  });
  return {
    etcd,
    store,
    registry,
    async close(): Promise<void> {
      await registry.close();
      kv.close();
      etcd.close();
      dedicatedWatches.close();
    },
  };
}

function readTls(opts: ApiServerOptions): { cert: Buffer; key: Buffer; clientCa?: Buffer } | undefined {
  if (!!opts.tlsCertFile !== !!opts.tlsPrivateKeyFile) throw new Error('--tls-cert-file and --tls-private-key-file go together');
  const clientCa = opts.clientCaFile ? readFileSync(opts.clientCaFile) : undefined;
  return opts.tlsCertFile ? { cert: readFileSync(opts.tlsCertFile), key: readFileSync(opts.tlsPrivateKeyFile!), clientCa } : undefined;
}

/** The gRPC face's TLS, only when asked for (many tests' components speak plaintext gRPC); the REST face's client CA. */
function readGrpcTls(opts: ApiServerOptions, rest: ReturnType<typeof readTls>): GrpcTls | undefined {
  if (!!opts.grpcTlsCertFile !== !!opts.grpcTlsPrivateKeyFile) throw new Error('--grpc-tls-cert-file and --grpc-tls-private-key-file go together');
  if (!opts.grpcTlsCertFile) return undefined;
  const clientCa = rest?.clientCa ?? (opts.clientCaFile ? readFileSync(opts.clientCaFile) : undefined);
  return { cert: readFileSync(opts.grpcTlsCertFile), key: readFileSync(opts.grpcTlsPrivateKeyFile!), clientCa };
}

/**
 * The advertise address: the REST face there too when the main one listens on loopback (pods
 * reach it on the cluster bridge), and the kubernetes Service that points at it.
 */
async function serveAdvertised(opts: ApiServerOptions, rest: RestParts, host: string, restPort: number, cleanups: (() => Promise<void> | void)[]): Promise<void> {
  const address = opts.advertiseAddress;
  if (!address) return;
  if (isLoopback(host)) {
    const advertised = listenWhenAvailable(() => listenRest(rest, address, restPort), rest.logger);
    cleanups.push(() => advertised.stop());
  }
  const kubernetesService = await startKubernetesService(rest.registry, {
    serviceClusterIpRange: opts.serviceClusterIpRange ?? '10.96.0.0/16',
    advertiseAddress: address,
    port: restPort,
    logger: rest.logger,
  });
  cleanups.push(() => kubernetesService.stop());
}

/** kube-apiserver's defaults: 400 read-only + 200 mutating seats. */
function requestLimiter(opts: ApiServerOptions): RequestLimiter | undefined {
  const total = (opts.maxRequestsInflight ?? 400) + (opts.maxMutatingRequestsInflight ?? 200);
  return total > 0 ? new RequestLimiter({ totalSeats: total }) : undefined;
}

interface RestParts {
  registry: EtcdRegistry;
  authenticate: Authenticate;
  logger: Logger;
  metrics: ApiServerMetrics;
  tunnel: AgentStreamHandler & StreamTunnel;
  tls?: { cert: Buffer; key: Buffer; clientCa?: Buffer };
  authorization: Authorization;
  impersonate?: ReturnType<typeof createImpersonator>;
  audit?: AuditLog;
  limiter?: RequestLimiter;
}

/** The REST face, listening. */
async function listenRest(p: RestParts, host: string, port: number): Promise<http.Server> {
  const http = createRestServer({
    registry: p.registry,
    // The REST face answers 401 itself when it gets no user.
    authenticate: (c) => p.authenticate(c).catch(() => null),
    logger: p.logger,
    metricsRegistry: p.metrics.registry,
    tunnel: p.tunnel,
    tls: p.tls,
    authorization: p.authorization,
    impersonate: p.impersonate,
    audit: p.audit,
    limiter: p.limiter,
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => resolve());
  });
  return http;
}

async function waitForEtcd(store: Store, logger: Logger): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (let i = 0; ; i++) {
    try {
      await store.currentRevision();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      if (i % 10 === 0) logger.warn({ err: (err as Error).message }, 'waiting for etcd');
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

async function runCleanups(cleanups: (() => Promise<void> | void)[]): Promise<void> {
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch {
      // keep stopping the rest
    }
  }
  cleanups.length = 0;
}
