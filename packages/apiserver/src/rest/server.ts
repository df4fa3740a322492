// The Kubernetes REST face: one plain-HTTP server answering discovery, OpenAPI, version,
// health and metrics, and the resource API over the registry. Upgrades (exec, attach,
// port-forward) go to ./streams/upgrade.ts.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Logger } from 'pino';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { Registry, RequestUser } from '../registry/types.js';
import type { StreamTunnel } from '../tunnel/types.js';
import { parseRoute, type ResourceRoute } from './route.js';
import { chooseOutput } from './negotiate.js';
import { serveDiscovery, serveOpenApi } from './documents.js';
import { sendJson, sendStatus, sendText } from './respond.js';
import { statusFor, unauthorized, notFoundPath } from './status.js';
import { restMetrics } from './metrics.js';
import { serveResource } from './resources.js';
import { versionInfo } from './version.js';
import type { RequestContext, RestDeps } from './context.js';
import { handleUpgrade } from './streams/upgrade.js';
import { requestUrl } from './request-url.js';

export interface RestServerOptions {
  registry: Registry;
  authenticate: (authorizationHeader?: string) => RequestUser | null;
  logger: Logger;
  metricsRegistry: MetricsRegistry;
  tunnel?: StreamTunnel;
  /** Serve HTTPS with this key pair. kubectl sends tokens only over TLS. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Impersonation headers → the acting user (auth/impersonation.ts). */
  impersonate?: RestDeps['impersonate'];
}

function isHealthPath(path: string): boolean {
  return /^\/(healthz|readyz|livez)(\/.*)?$/.test(path);
}

/** Ready means etcd answers (kube-apiserver's readyz includes its etcd check). */
async function serveReadyz(registry: Registry, res: ServerResponse): Promise<void> {
  const ready = await Promise.race([
    registry.currentRevision().then(() => true, () => false),
    new Promise<boolean>((r) => setTimeout(() => r(false), 2000).unref()),
  ]);
  if (ready) sendText(res, 200, 'ok');
  else sendText(res, 503, '[-]etcd failed: reason withheld\nreadyz check failed');
}

/** Who the request runs as: the authenticated caller, or whom it impersonates; undefined once a 401/403 is sent. */
function callerOf(opts: RestServerOptions, deps: RestDeps, req: IncomingMessage, res: ServerResponse): RequestUser | undefined {
  const authenticated = opts.authenticate(req.headers.authorization);
  if (!authenticated) return void sendStatus(res, unauthorized().status);
  const user = deps.impersonate?.(authenticated, req.headersDistinct) ?? authenticated;
  if ('refused' in user) return void sendStatus(res, user.refused);
  return user;
}

export function createRestServer(opts: RestServerOptions): http.Server {
  const deps: RestDeps = { registry: opts.registry, logger: opts.logger, metrics: restMetrics(opts.metricsRegistry), tunnel: opts.tunnel, impersonate: opts.impersonate };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res).catch((err) => {
      opts.logger.error({ err, url: req.url }, 'request failed');
      if (!res.headersSent) sendStatus(res, statusFor(err));
      else res.end();
    });
  };
  // An https.Server answers the same events and methods; callers listen and close it alike.
  const server = (opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, onRequest) : http.createServer(onRequest)) as http.Server;
  // Watches and log streams stay open; Node's defaults would cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;

  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    const user = opts.authenticate(req.headers.authorization);
    handleUpgrade(deps, req, socket, head, user);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = requestUrl(req.url);
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const verb = (req.method ?? 'GET').toUpperCase();
    let resourceLabel = '';
    let subresourceLabel = '';
    let ctxRef: RequestContext | undefined;
    res.on('finish', () => {
      const seconds = (performance.now() - started) / 1000;
      const v = ctxRef?.verb ?? verb;
      deps.metrics.record(v, resourceLabel, subresourceLabel, res.statusCode, seconds);
      if (opts.logger.isLevelEnabled('debug')) opts.logger.debug({ verb: v, path, code: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
    });

    if (path.startsWith('/readyz')) return serveReadyz(deps.registry, res);
    if (isHealthPath(path)) return sendText(res, 200, 'ok');
    if (path === '/version') return sendJson(res, 200, versionInfo());

    const user = callerOf(opts, deps, req, res);
    if (!user) return;

    if (path === '/metrics') {
      res.writeHead(200, { 'Content-Type': opts.metricsRegistry.contentType });
      res.end(await opts.metricsRegistry.metrics());
      return;
    }
    if (serveOpenApi(req, res, path)) return;

    const route = parseRoute(path);
    if (!route) return sendStatus(res, notFoundPath().status);
    const accept = req.headers.accept;
    switch (route.type) {
      case 'apiVersions':
      case 'apiGroups':
      case 'apiGroup':
      case 'resourceList':
        return serveDiscovery(req, res, route);
      case 'resource': {
        resourceLabel = route.resource;
        subresourceLabel = route.subresource ?? '';
        const ctx: RequestContext = { deps, req, res, url, route: route as ResourceRoute, user, output: chooseOutput(accept), verb };
        ctxRef = ctx;
        try {
          await serveResource(ctx);
        } catch (err) {
          const status = statusFor(err);
          if (status.code === 500) opts.logger.error({ err, path, verb: ctx.verb }, 'internal error');
          if (!res.headersSent) sendStatus(res, status);
          else res.end();
        }
        return;
      }
    }
  }

  return server;
}
