// The Kubernetes REST face: one plain-HTTP server answering discovery, OpenAPI, version,
// health and metrics, and the resource API over the registry. Upgrades (exec, attach,
// port-forward) go to ./streams/upgrade.ts.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Logger } from 'pino';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { Registry, RequestUser } from '../registry/types.js';
import type { StreamTunnel } from '../tunnel/types.js';
import { parseRoute, type ResourceRoute, type Route } from './route.js';
import type { Status } from '@k8ts/api';
import { chooseOutput } from './negotiate.js';
import { serveDiscovery, serveOpenApi } from './documents.js';
import { sendJson, sendStatus, sendText } from './respond.js';
import { statusFor, notFoundPath } from './status.js';
import { restMetrics } from './metrics.js';
import { serveResource } from './resources.js';
import { versionInfo } from './version.js';
import type { RequestContext, RestDeps } from './context.js';
import { handleUpgrade } from './streams/upgrade.js';
import { requestUrl } from './request-url.js';
import { credentialsOfRequest } from './credentials.js';
import type { Credentials } from '../auth/types.js';
import type { Duplex } from 'node:stream';
import { admitRequest, requestAttributes } from './authorize.js';
import type { Authorization } from '../authz/index.js';
import type { Attributes } from '../authz/types.js';
import { ANONYMOUS } from '../authz/request-attributes.js';
import type { RequestLimiter } from '../flowcontrol/index.js';
import { takeSeat } from './seat.js';
import { BODY_TIMEOUT_MS } from './body.js';
import type { AuditLog } from '../audit/log.js';
import type { RequestAudit } from '../audit/request.js';
import { auditCaller, beginRestAudit, beginUpgradeAudit } from './audit.js';

export interface RestServerOptions {
  registry: Registry;
  /** The caller, or null for a 401. */
  authenticate: (c: Credentials) => Promise<RequestUser | null>;
  logger: Logger;
  metricsRegistry: MetricsRegistry;
  tunnel?: StreamTunnel;
  /**
   * Serve HTTPS with this key pair. kubectl sends tokens only over TLS. With `clientCa`,
   * client certificates are asked for (not required) and verified against it.
   */
  tls?: { key: string | Buffer; cert: string | Buffer; clientCa?: string | Buffer };
  /** The authorizer chain (--authorization-mode); absent: every authenticated request is allowed. */
  authorization?: Pick<Authorization, 'refusal'>;
  /** Impersonation headers → the acting user (auth/impersonation.ts). */
  impersonate?: RestDeps['impersonate'];
  /** Seats per priority level (--max-requests-inflight); absent: no limit. */
  limiter?: RequestLimiter;
  /** --audit-log-path: one audit event per request (./audit.ts). */
  audit?: AuditLog;
}

function tlsOptions(tls: NonNullable<RestServerOptions['tls']>): https.ServerOptions {
  const base: https.ServerOptions = { key: tls.key, cert: tls.cert };
  // Asked for, verified against the CA, not required: token clients connect without one.
  return tls.clientCa ? { ...base, ca: tls.clientCa, requestCert: true, rejectUnauthorized: false } : base;
}

/** exec, attach and port-forward: authenticated like any request (a null user is answered 401). */
function onUpgrade(opts: RestServerOptions, deps: RestDeps, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const audit = beginUpgradeAudit(opts.audit, req, socket);
  void opts.authenticate(credentialsOfRequest(req)).then(
    (user) => handleUpgrade(deps, req, socket, head, user, audit),
    () => handleUpgrade(deps, req, socket, head, null, audit),
  );
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

/** Whether any header asks for impersonation (Impersonate-User, -Group, -Uid, -Extra-*), without building headersDistinct. */
function asksImpersonation(raw: string[]): boolean {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length > 12 && (name.charCodeAt(0) | 32) === 105 && name.slice(0, 12).toLowerCase() === 'impersonate-') return true;
  }
  return false;
}

/**
 * Who acts in this request and whether it may: authenticated (or anonymous on the public
 * paths), impersonated when it asks and may, then authorized. A Status when any step refuses.
 */
async function callerOf(opts: RestServerOptions, deps: RestDeps, req: IncomingMessage, verb: string, path: string, route: Route | undefined, q: URLSearchParams, audit?: RequestAudit, res?: ServerResponse): Promise<{ user: RequestUser; attrs: Attributes } | { status: Status }> {
  const authenticated = await opts.authenticate(credentialsOfRequest(req));
  const acting = authenticated && deps.impersonate && asksImpersonation(req.rawHeaders) ? deps.impersonate(authenticated, req.headersDistinct) : authenticated;
  const request = requestAttributes(ANONYMOUS, verb, path, route, q);
  const seen = audit && auditCaller(audit, res, authenticated, acting, request);
  if (acting && 'refused' in acting) return { status: acting.refused };
  const { attrs, refusal } = admitRequest(deps.authorization, acting, request, seen);
  return attrs ? { user: attrs.user as RequestUser, attrs } : { status: refusal.status };
}

/**
 * A request answered before its body arrived (refused, not found, 429): Node reads the rest to
 * keep the connection, for as long as the client trickles it (requestTimeout is off for
 * watches), so each slow client held a socket for good (the soak's slow bodies). A body still
 * incomplete after the body timeout is cut off with its connection, as a body being read is.
 */
function cutIfBodyStalls(req: IncomingMessage): void {
  setTimeout(() => req.complete || req.socket?.destroy(), BODY_TIMEOUT_MS).unref();
}

export function createRestServer(opts: RestServerOptions): http.Server {
  const deps: RestDeps = { registry: opts.registry, logger: opts.logger, metrics: restMetrics(opts.metricsRegistry), tunnel: opts.tunnel, authorization: opts.authorization, impersonate: opts.impersonate };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res).catch((err) => {
      opts.logger.error({ err, url: req.url }, 'request failed');
      return res.headersSent ? res.end() : sendStatus(res, statusFor(err));
    });
  };
  // An https.Server answers the same events and methods; callers listen and close it alike.
  const server = (opts.tls ? https.createServer(tlsOptions(opts.tls), onRequest) : http.createServer(onRequest)) as http.Server;
  // Watches and log streams stay open; Node's defaults would cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;

  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => onUpgrade(opts, deps, req, socket, head));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = requestUrl(req.url);
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const verb = (req.method ?? 'GET').toUpperCase();
    const audit = beginRestAudit(opts.audit, req, res);
    let resourceLabel = '';
    let subresourceLabel = '';
    let ctxRef: RequestContext | undefined;
    res.on('finish', () => {
      const seconds = (performance.now() - started) / 1000;
      const v = ctxRef?.verb ?? verb;
      deps.metrics.record(v, resourceLabel, subresourceLabel, res.statusCode, seconds);
      if (opts.logger.isLevelEnabled('debug')) opts.logger.debug({ verb: v, path, code: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
      if (!req.complete) cutIfBodyStalls(req);
    });

    const route = parseRoute(path);
    const caller = await callerOf(opts, deps, req, verb, path, route, url.searchParams, audit, res);
    if ('status' in caller) return sendStatus(res, caller.status);
    const user = caller.user;
    if (!(await takeSeat(opts.limiter, req, res, caller.attrs))) return;

    if (path.startsWith('/readyz')) return serveReadyz(deps.registry, res);
    if (isHealthPath(path)) return sendText(res, 200, 'ok');
    if (path === '/version') return sendJson(res, 200, versionInfo());

    if (path === '/metrics') {
      res.writeHead(200, { 'Content-Type': opts.metricsRegistry.contentType });
      res.end(await opts.metricsRegistry.metrics());
      return;
    }
    if (serveOpenApi(req, res, path)) return;

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
