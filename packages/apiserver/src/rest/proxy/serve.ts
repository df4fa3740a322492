// GET/HEAD/POST/PUT/PATCH/DELETE/OPTIONS on pods/NAME[:PORT]/proxy[/path],
// services/NAME[:PORT]/proxy[/path] and nodes/NAME[:PORT]/proxy[/path]: one HTTP exchange
// with the backend, spoken over a tunnel stream of the backend's agent (./locate.ts says
// which), bodies streamed both ways. Like kube-apiserver: `…/proxy` without a slash is a
// 301 to `…/proxy/` for GET and HEAD, and a backend that cannot be reached is a 503
// "error trying to reach service". It is long-running (flowcontrol/long-running.ts), so it
// holds no seat, and authorized as the subresource `proxy` with the method's verb.
import http, { type IncomingMessage } from 'node:http';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { RequestContext } from '../context.js';
import { sendStatus } from '../respond.js';
import { methodNotAllowed, notFoundPath, restError, statusFor } from '../status.js';
import { tunnelDuplex } from '../../tunnel/duplex.js';
import { locateNode, locatePod, locateService, type ProxyTarget } from './locate.js';
import { proxyPath, rawQuery } from './names.js';
import { requestHeaders, responseHeaders, rewriteLocation } from './headers.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

function asHeaderObject(pairs: [string, string][]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of pairs) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

async function locate(ctx: RequestContext): Promise<ProxyTarget> {
  const { route, deps } = ctx;
  const name = route.name;
  if (!name) throw notFoundPath();
  if (route.resource === 'nodes') return locateNode(deps.registry, name);
  if (route.namespace === undefined) throw notFoundPath();
  if (route.resource === 'pods') return locatePod(deps.registry, route.namespace, name);
  if (route.resource === 'services') return locateService(deps.registry, route.namespace, name);
  throw notFoundPath();
}

function connect(raw: Duplex, target: ProxyTarget): Duplex {
  // Like kube-apiserver's proxy transport, a pod's certificate is not verified: pods have
  // no names a CA could vouch for.
  return target.scheme === 'https' ? tls.connect({ socket: raw, rejectUnauthorized: false }) : raw;
}

export async function serveProxy(ctx: RequestContext): Promise<void> {
  ctx.verb = 'CONNECT';
  const { req, res, deps } = ctx;
  const method = req.method ?? 'GET';
  if (!METHODS.has(method)) throw methodNotAllowed(method, `${ctx.route.info?.kind ?? ''}ProxyOptions`);
  const { prefix, path } = proxyPath(ctx.url.pathname, ctx.route);
  const query = rawQuery(req.url);
  if (path === '' && (method === 'GET' || method === 'HEAD')) {
    res.writeHead(301, { Location: `${ctx.url.pathname}/${query}` }).end();
    return;
  }
  const target = await locate(ctx);
  if (!deps.tunnel) throw restError(503, 'ServiceUnavailable', `no agent connection for node ${target.nodeName}`);
  const socket = connect(tunnelDuplex(deps.tunnel.open(target.nodeName, target.open)), target);
  socket.on('error', () => undefined);
  const headers = asHeaderObject(requestHeaders(req.rawHeaders, target.host, req.socket.remoteAddress));
  // A chunked body stays chunked: Node frames a DELETE or OPTIONS body only when told to.
  if (req.headers['transfer-encoding'] && req.headers['content-length'] === undefined) headers['Transfer-Encoding'] = 'chunked';
  await new Promise<void>((resolve) => {
    const up = http.request({ method, path: (path || '/') + query, headers, createConnection: () => socket as never });
    const done = () => {
      socket.destroy();
      resolve();
    };
    up.on('response', (back: IncomingMessage) => {
      const rewrite = (location: string) => rewriteLocation(location, prefix, target.host, req.headers.host);
      res.writeHead(back.statusCode ?? 502, back.statusMessage, asHeaderObject(responseHeaders(back.rawHeaders, rewrite)));
      back.pipe(res);
      back.on('end', done);
      back.on('error', () => res.destroy());
    });
    up.on('error', (err) => {
      if (!res.headersSent) sendStatus(res, restError(503, 'ServiceUnavailable', `error trying to reach service: ${err.message}`).status);
      else res.destroy();
      done();
    });
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
      done();
    });
    req.pipe(up);
  }).catch((err) => {
    if (!res.headersSent) sendStatus(res, statusFor(err));
  });
}
