// startApiServer: etcd client, registry, system namespaces, Service allocators, the gRPC
// face and the REST face (when src/rest/ provides createRestServer).
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import { collectDefaultMetrics } from 'prom-client';
import { createLogger, type Logger } from '@k8ts/client';
import { createEtcdClient } from '../storage/etcd-client.js';
import { Store } from '../storage/store.js';
import { EtcdKv } from '../storage/etcd-kv.js';
import { EtcdRegistry } from '../registry/registry.js';
import { createAuthenticator, type Authenticate } from '../auth/authenticate.js';
import { loadTokenFile } from '../auth/token-file.js';
import { startGrpcServer } from '../grpc/server.js';
import type { AgentStreamHandler } from '../grpc/context.js';
import { ApiServerMetrics } from './metrics.js';
import { createRestServer } from '../rest/index.js';
import type { StreamTunnel } from '../tunnel/types.js';
import { createAgentTunnel } from '../tunnel/index.js';
import { registerServiceAllocators } from '../allocators/index.js';
import { installLeanAsyncResourceBind } from '../storage/async-resource-bind.js';
import { registerReviews, ALWAYS_ALLOW, type ReviewDeps } from '../reviews/index.js';
import { createImpersonator } from '../auth/impersonation.js';

export interface ApiServerOptions {
  etcdServers: string[];
  /** REST port; 0 picks a free one. */
  port: number;
  /** gRPC port; 0 picks a free one. */
  grpcPort: number;
  host?: string;
  tokenAuthFile?: string;
  defaultTolerationSeconds?: number;
  serviceClusterIpRange?: string;
  loadBalancerPool?: string;
  logger?: Logger;
  /** The agent tunnel; by default a new one from src/tunnel/. */
  tunnel?: AgentStreamHandler & StreamTunnel;
  /** Serve REST over TLS with this certificate and key (PEM files), as kube-apiserver's --tls-cert-file. */
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** Interval of watch BOOKMARK events (default 5 s). */
  bookmarkIntervalMs?: number;
  /** What the access reviews and impersonation ask (default AlwaysAllow); tests pass a table. */
  authorizer?: Pick<ReviewDeps, 'authorize' | 'rulesFor'>;
}

export interface ApiServer {
  registry: EtcdRegistry;
  /** The agent tunnel both faces share (agents attach over gRPC, REST opens pod streams). */
  tunnel: AgentStreamHandler & StreamTunnel;
  authenticate: Authenticate;
  metrics: ApiServerMetrics;
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
  const storage = openStorage(opts, logger, metrics);
  const { store, registry } = storage;
  const authenticate = createAuthenticator(opts.tokenAuthFile ? loadTokenFile(opts.tokenAuthFile) : undefined);
  const tls = readTls(opts);
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    await waitForEtcd(store, logger);
    await registry.ensureSystemNamespaces();
    await registry.startNamespaceCache();
    const authorizer = opts.authorizer ?? ALWAYS_ALLOW;
    registerReviews(registry, { ...authorizer, authenticate: (c) => authenticate(c.authorization) });
    const allocators = registerServiceAllocators(registry, storage.etcd, {
      serviceClusterIpRange: opts.serviceClusterIpRange,
      loadBalancerPool: opts.loadBalancerPool,
    });
    cleanups.push(() => allocators.stop());

    const tunnel = opts.tunnel ?? createAgentTunnel({ logger });
    const grpcServer = await startGrpcServer({ registry, authenticate, metrics, logger, tunnel }, host, opts.grpcPort);
    cleanups.push(() => grpcServer.stop());

    const http = await listenRest({ registry, authenticate, logger, metrics, tunnel, tls, impersonate: createImpersonator(authorizer.authorize) }, host, opts.port);
    cleanups.push(() => closeHttp(http));
    const restPort = (http.address() as { port: number }).port;
    logger.info({ restPort, grpcPort: grpcServer.port, etcd: opts.etcdServers }, 'apiserver serving');
    let stopped = false;
    return {
      registry,
      tunnel,
      authenticate,
      metrics,
      restPort,
      grpcPort: grpcServer.port,
      async stop() {
        if (stopped) return;
        stopped = true;
        await runCleanups(cleanups);
        await storage.close();
      },
    };
  } catch (err) {
    await runCleanups(cleanups);
    await storage.close();
    throw err;
  }
}

/** The etcd clients, the store over them and the registry over the store. */
function openStorage(opts: ApiServerOptions, logger: Logger, metrics: ApiServerMetrics) {
  const etcd = createEtcdClient({ servers: opts.etcdServers });
  const kv = new EtcdKv({ servers: opts.etcdServers });
  const store = new Store(etcd, (op, s) => metrics.etcdDuration.observe({ operation: op }, s), kv, logger);
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
    },
  };
}

function readTls(opts: ApiServerOptions): { cert: Buffer; key: Buffer } | undefined {
  if (!!opts.tlsCertFile !== !!opts.tlsPrivateKeyFile) throw new Error('--tls-cert-file and --tls-private-key-file go together');
  return opts.tlsCertFile ? { cert: readFileSync(opts.tlsCertFile), key: readFileSync(opts.tlsPrivateKeyFile!) } : undefined;
}

interface RestParts {
  registry: EtcdRegistry;
  authenticate: Authenticate;
  logger: Logger;
  metrics: ApiServerMetrics;
  tunnel: AgentStreamHandler & StreamTunnel;
  tls?: { cert: Buffer; key: Buffer };
  impersonate?: ReturnType<typeof createImpersonator>;
}

/** The REST face, listening. */
async function listenRest(p: RestParts, host: string, port: number): Promise<http.Server> {
  const http = createRestServer({
    registry: p.registry,
    // The REST face answers 401 itself when it gets no user.
    authenticate: (header?: string) => {
      try {
        return p.authenticate(header);
      } catch {
        return null;
      }
    },
    logger: p.logger,
    metricsRegistry: p.metrics.registry,
    tunnel: p.tunnel,
    tls: p.tls,
    impersonate: p.impersonate,
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

function closeHttp(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
