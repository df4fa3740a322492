// What the gRPC handlers share: the registry, authentication, metrics, logging.
import type * as grpc from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';

/** grpc-js's call.getAuthContext() (not exported by name). */
interface AuthContext {
  transportSecurityType?: string;
  sslPeerCertificate?: PeerCertificate;
}
import type { Logger } from 'pino';
import type { proto } from '@k8ts/client';
import type { Registry, RequestUser } from '../registry/types.js';
import type { Authenticate } from '../auth/authenticate.js';
import type { Credentials } from '../auth/types.js';
import type { ApiServerMetrics } from '../server/metrics.js';
import type { Authorization } from '../authz/index.js';
import type { RequestLimiter } from '../flowcontrol/index.js';
import type { AuditLog } from '../audit/log.js';

/** The agent tunnel (src/tunnel/) takes over a node's Connect stream after its hello. */
export interface AgentStreamHandler {
  attach(nodeName: string, call: grpc.ServerDuplexStream<proto.AgentMessage__Output, proto.ServerMessage>): void;
}

export interface GrpcContext {
  registry: Registry;
  authenticate: Authenticate;
  metrics?: ApiServerMetrics;
  logger?: Logger;
  tunnel?: AgentStreamHandler;
  /** The authorizer chain (--authorization-mode); absent: every authenticated request is allowed. */
  authorization?: Pick<Authorization, 'refusal'>;
  /** Seats per priority level (--max-requests-inflight); absent: no limit. */
  limiter?: RequestLimiter;
  /** --audit-log-path: one audit event per request (./audit.ts). */
  audit?: AuditLog;
}

/** The credentials of a call: its authorization metadata and the verified client certificate of its TLS connection. */
export function credentialsOf(call: { metadata: grpc.Metadata; getAuthContext?(): AuthContext }): Credentials {
  const v = call.metadata.get('authorization')[0];
  return { authorization: typeof v === 'string' ? v : v?.toString('utf8'), peerCertificate: call.getAuthContext?.().sslPeerCertificate ?? null };
}

export function userOf(ctx: GrpcContext, call: { metadata: grpc.Metadata; getAuthContext?(): AuthContext }): Promise<RequestUser> {
  return ctx.authenticate(credentialsOf(call));
}
