// Upgraded connections: pods/exec and pods/attach (WebSocket channel.k8s.io, or SPDY) and
// pods/portforward (WebSocket tunnelling SPDY/3.1 as kubectl 1.30+ asks first, kubelet's
// WebSocket channels as client libraries ask, or SPDY directly). Failures before the
// upgrade are answered as plain HTTP with a Status body, which kubectl prints.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Status } from '@k8ts/api';
import type { RequestUser } from '../../registry/types.js';
import type { RestDeps } from '../context.js';
import { parseRoute } from '../route.js';
import { badRequest, notFoundPath, statusFor, unauthorized } from '../status.js';
import { EXEC_PROTOCOLS, PORT_FORWARD_CHANNEL_PROTOCOLS, PORT_FORWARD_WS_PROTOCOL, pickProtocol } from './channels.js';
import { portForwardPorts, serveWebSocketPortForward } from './ws-portforward.js';
import { execParams } from './exec-params.js';
import { resolveTarget } from './target.js';
import { pumpWebSocketExec } from './ws-exec.js';
import { servePortForward } from './portforward.js';
import { serveSpdyExec, SPDY_EXEC_PROTOCOLS } from './spdy-exec.js';
import { ANONYMOUS, resourceAttributes } from '../../authz/request-attributes.js';
import { requestAttributes } from '../authorize.js';
import type { RequestAudit } from '../../audit/request.js';
import { auditCaller, upgradeAuditId } from '../audit.js';

/** The subprotocols a request may be answered with, when narrower than all (port-forward's channels). */
const protocolsFor = new WeakMap<IncomingMessage, string[]>();
const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  handleProtocols: (offered, req) => pickProtocol(offered, protocolsFor.get(req) ?? [...EXEC_PROTOCOLS, PORT_FORWARD_WS_PROTOCOL]),
});
/**
 * Requests for SPDY tunnelled through a WebSocket: ws refuses `SPDY/3.1+portforward.k8s.io`
 * as a subprotocol (`/` is no token character), so the header is taken off the request and
 * the answer names the protocol itself, as kube-apiserver's tunneling handler does.
 */
const tunnelling = new WeakSet<IncomingMessage>();
wss.on('headers', (headers: string[], req: IncomingMessage) => {
  headers.push(`Audit-Id: ${upgradeAuditId(req)}`);
  if (tunnelling.has(req)) headers.push(`Sec-WebSocket-Protocol: ${PORT_FORWARD_WS_PROTOCOL}`);
});

function rejectUpgrade(req: IncomingMessage, socket: Duplex, status: Status, audit: RequestAudit | undefined): void {
  const code = status.code ?? 500;
  const body = JSON.stringify(status);
  audit?.responseStarted(code, status);
  socket.end(
    `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Error'}\r\nAudit-Id: ${upgradeAuditId(req)}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The 101 of a SPDY stream (WebSocket ones are written by ws, with the headers above). */
function switchToSpdy(req: IncomingMessage, socket: Duplex, protocol: string, audit: RequestAudit | undefined): void {
  audit?.responseStarted(101);
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\nAudit-Id: ${upgradeAuditId(req)}\r\n\r\n`);
}

function offeredProtocols(req: IncomingMessage, header: string): string[] {
  const raw = req.headersDistinct?.[header.toLowerCase()] ?? [];
  return raw.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
}

/** pods/NAME/portforward: SPDY, SPDY tunnelled through a WebSocket, or kubelet's WebSocket channels. */
async function upgradePortForward(deps: RestDeps, req: IncomingMessage, socket: Duplex, head: Buffer, query: URLSearchParams, namespace: string, name: string, isWebSocket: boolean, audit: RequestAudit | undefined): Promise<void> {
  const target = await resolveTarget(deps, namespace, name, null, false).catch((e) => {
    // Port-forward names no container; only the pod and its node matter.
    if ((e as { code?: number }).code === 400 && /container name must be specified/.test((e as Error).message)) return undefined;
    throw e;
  });
  const pod = target?.pod ?? (await deps.registry.get('pods', namespace, name));
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  if (!deps.tunnel) throw badRequest(`no agent connection for node ${nodeName}`);
  const tunnel = deps.tunnel;
  const offered = offeredProtocols(req, 'sec-websocket-protocol');
  if (isWebSocket && !offered.includes(PORT_FORWARD_WS_PROTOCOL)) {
    // kubelet's own protocol; a client offering no subprotocol gets its binary form.
    const protocol = offered.length ? pickProtocol(offered, PORT_FORWARD_CHANNEL_PROTOCOLS) : '';
    if (protocol === false) throw badRequest(`port-forward over WebSocket needs one of the subprotocols ${[PORT_FORWARD_WS_PROTOCOL, ...PORT_FORWARD_CHANNEL_PROTOCOLS].join(', ')}`);
    const ports = portForwardPorts(query);
    protocolsFor.set(req, PORT_FORWARD_CHANNEL_PROTOCOLS);
    wss.handleUpgrade(req, socket, head, (ws) => {
      audit?.responseStarted(101);
      serveWebSocketPortForward(ws, protocol, ports, pod, nodeName, tunnel);
    });
    return;
  }
  if (isWebSocket) {
    delete req.headers['sec-websocket-protocol'];
    tunnelling.add(req);
    wss.handleUpgrade(req, socket, head, (ws) => {
      audit?.responseStarted(101);
      const duplex = createWebSocketStream(ws);
      duplex.on('error', () => undefined);
      servePortForward(duplex, pod, nodeName, tunnel, deps.logger);
    });
    return;
  }
  switchToSpdy(req, socket, 'portforward.k8s.io', audit);
  if (head.length) socket.unshift(head);
  servePortForward(socket, pod, nodeName, tunnel, deps.logger);
}

// long: one upgrade from its caller to the stream it becomes, for exec/attach and for
// port-forward, each over WebSocket or SPDY; the steps share the request's route and caller.
export function handleUpgrade(deps: RestDeps, req: IncomingMessage, socket: Duplex, head: Buffer, user: RequestUser | null, audit?: RequestAudit): void {
  socket.on('error', () => undefined);
  const reject = (status: Status) => rejectUpgrade(req, socket, status, audit);
  void (async () => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = parseRoute(url.pathname);
    // The acting user: whom authorizing this stream must ask about.
    const acting = user && (deps.impersonate?.(user, req.headersDistinct) ?? user);
    const seen = audit && auditCaller(audit, undefined, user, acting, requestAttributes(ANONYMOUS, (req.method ?? 'GET').toUpperCase(), url.pathname, route, url.searchParams));
    if (!user || !acting) return reject(unauthorized().status);
    if ('refused' in acting) return reject(acting.refused);
    if (!route || route.type !== 'resource' || route.resource !== 'pods' || !route.name || !route.namespace) {
      return reject(notFoundPath().status);
    }
    const sub = route.subresource;
    if (sub !== 'exec' && sub !== 'attach' && sub !== 'portforward') return reject(notFoundPath().status);
    // kubectl opens these with POST (SPDY) or GET (WebSocket); Kubernetes 1.30+ checks `create` for both.
    const refusal = deps.authorization?.refusal(resourceAttributes(acting, 'create', route, url.pathname), seen);
    if (refusal) return reject(refusal.status);
    deps.metrics.requests.inc({ verb: 'CONNECT', resource: 'pods', subresource: sub, code: '101' });
    const isWebSocket = String(req.headers.upgrade ?? '').toLowerCase() === 'websocket';
    const namespace = route.namespace;
    const name = route.name;

    if (sub === 'portforward') return await upgradePortForward(deps, req, socket, head, url.searchParams, namespace, name, isWebSocket, audit);

    const params = execParams(url.searchParams, sub);
    const target = await resolveTarget(deps, namespace, name, url.searchParams.get('container'), sub === 'attach');
    const openStream = () =>
      target.tunnel.open(target.nodeName, {
        kind: sub,
        namespace,
        pod: name,
        podUid: target.pod.metadata.uid ?? '',
        params: { container: target.container, ...params },
      });
    if (isWebSocket) {
      const protocol = pickProtocol(offeredProtocols(req, 'sec-websocket-protocol'), EXEC_PROTOCOLS);
      if (!protocol) throw badRequest(`exec needs one of the WebSocket subprotocols ${EXEC_PROTOCOLS.join(', ')}`);
      const stream = openStream();
      wss.handleUpgrade(req, socket, head, (ws) => {
        audit?.responseStarted(101);
        pumpWebSocketExec(ws, protocol, stream);
      });
      return;
    }
    const protocol = pickProtocol(offeredProtocols(req, 'x-stream-protocol-version'), SPDY_EXEC_PROTOCOLS);
    if (!protocol) throw badRequest('unable to upgrade: no common stream protocol');
    switchToSpdy(req, socket, protocol, audit);
    if (head.length) socket.unshift(head);
    serveSpdyExec(socket, protocol, params, openStream, deps.logger);
  })().catch((err) => {
    if (!socket.destroyed) reject(statusFor(err));
  });
}
