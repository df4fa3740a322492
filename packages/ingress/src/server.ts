// The data plane: an HTTP server that matches each request's Host and path against the route
// table and streams it to one ready endpoint of the backend Service through http-proxy
// (WebSocket upgrades too). No rule and no default backend: 404; a backend with nowhere to
// go: 503; an endpoint that fails: 502. Malformed requests are answered by Node's parser
// (400, 431 for headers over --max-header-size) and never reach the router.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import httpProxy from 'http-proxy';
import type { Logger } from 'pino';
import { matchRoute, normalizeHost, type Match, type RouteTable } from './routes.js';
import { resolveEndpoints, type BackendLookup, type Endpoint, type Unavailable } from './backends.js';
import type { IngressMetrics } from './metrics.js';

export interface IngressServerOptions {
  host: string;
  port: number;
  routes: () => RouteTable;
  lookup: BackendLookup;
  log: Logger;
  metrics: IngressMetrics;
  /** Node's limit on the request line and headers together (bytes). */
  maxHeaderSize?: number;
  /** How long a backend may take to start its answer (ms). */
  proxyTimeoutMs?: number;
}

type Routed = { match: Match; endpoint: Endpoint } | { status: 400 | 404 | 503; reason: string; match?: Match };

export class IngressServer {
  private readonly server: http.Server;
  private readonly proxy: httpProxy;
  private readonly next = new Map<string, number>();
  port = 0;

  constructor(private readonly o: IngressServerOptions) {
    this.proxy = httpProxy.createProxyServer({ xfwd: true, proxyTimeout: o.proxyTimeoutMs ?? 60_000 });
    // Errors without a callback (a ws socket's, late ones) must never be thrown.
    this.proxy.on('error', (err) => o.log.debug({ err: err.message, reason: 'ProxyError' }, 'proxy error'));
    this.server = http.createServer({ maxHeaderSize: o.maxHeaderSize ?? 16 * 1024, headersTimeout: 30_000, requestTimeout: 300_000 }, (req, res) => this.onRequest(req, res));
    this.server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      o.metrics.malformed.inc();
      if (err.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    });
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.port, this.o.host, () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    this.proxy.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Where a request goes; the path is matched without its query, dot segments resolved. */
  route(req: http.IncomingMessage): Routed {
    const url = req.url ?? '';
    if (!url.startsWith('/')) return { status: 400, reason: 'NotOriginForm' };
    // RFC 9112 3.2: a request with more than one Host header is a 400 (Node keeps the first).
    if (hostHeaders(req.rawHeaders) > 1) return { status: 400, reason: 'DuplicateHost' };
    let path: string;
    try {
      path = new URL(`http://h${url}`).pathname;
    } catch {
      return { status: 400, reason: 'BadPath' };
    }
    const match = matchRoute(this.o.routes(), normalizeHost(req.headers.host), path);
    if (!match) return { status: 404, reason: 'NoRule' };
    const eps = resolveEndpoints(match.backend, this.o.lookup);
    if (typeof eps === 'string') return { status: 503, reason: eps satisfies Unavailable, match };
    return { match, endpoint: this.pick(match, eps) };
  }

  /** Round robin over the backend's ready endpoints. */
  private pick(m: Match, eps: Endpoint[]): Endpoint {
    const key = `${m.backend.namespace}/${m.backend.service?.name}:${m.backend.service?.port.number ?? m.backend.service?.port.name}`;
    const i = this.next.get(key) ?? 0;
    this.next.set(key, (i + 1) % 1_000_000);
    return eps[i % eps.length]!;
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const started = process.hrtime.bigint();
    const r = this.route(req);
    const ingress = 'match' in r && r.match ? r.match.ingress : '';
    res.on('finish', () => {
      this.o.metrics.requests.inc({ code: String(res.statusCode), ingress });
      this.o.metrics.duration.observe({ ingress }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    if ('status' in r) return void answer(res, r.status, r.reason);
    this.proxy.web(req, res, { target: `http://${hostPort(r.endpoint)}` }, (err) => {
      this.o.metrics.upstreamErrors.inc({ ingress });
      this.o.log.warn({ object: ingress, endpoint: hostPort(r.endpoint), err: err.message, reason: 'UpstreamError' }, 'backend failed');
      if (res.headersSent) return void res.destroy();
      answer(res, 502, 'UpstreamError');
    });
  }

  private onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const r = this.route(req);
    if ('status' in r) {
      socket.end(`HTTP/1.1 ${r.status} ${http.STATUS_CODES[r.status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.proxy.ws(req, socket, head, { target: `http://${hostPort(r.endpoint)}` }, () => socket.destroy());
  }
}

function hostHeaders(raw: string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') n++;
  return n;
}

function hostPort(e: Endpoint): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** A plain-text answer of the controller itself (ingress-nginx's default backend says "default backend - 404"). */
function answer(res: http.ServerResponse, status: number, reason: string): void {
  if (res.headersSent || res.destroyed) return;
  const body = status === 404 ? 'default backend - 404\n' : `${status} ${http.STATUS_CODES[status] ?? ''}: ${reason}\n`;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'X-K8ts-Ingress-Reason': reason });
  res.end(body);
}
