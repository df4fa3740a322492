// What authentication hands to everything after it. The shape is Kubernetes' user.Info:
// the authorizers, admission (NodeRestriction, RBAC escalation, service account binding)
// and the reviews all read it.
import type { PeerCertificate } from 'node:tls';
import type { RequestUser } from '../registry/types.js';

export type UserInfo = RequestUser;

/** What one request presents: its Authorization header and, over TLS, the client certificate. */
export interface Credentials {
  authorization?: string | null;
  /** The verified peer certificate (REST: socket.getPeerCertificate(); gRPC: call.getAuthContext()). */
  peerCertificate?: PeerCertificate | null;
}

/**
 * One way of proving who one is (static tokens, x509 client certificates, bootstrap tokens,
 * service account tokens). `null`: these credentials are not of my kind, ask the next one.
 * Throws ApiError 401 when they are of my kind but invalid (expired, revoked, bad signature).
 */
export interface Authenticator {
  readonly name: string;
  authenticate(c: Credentials): UserInfo | null | Promise<UserInfo | null>;
}
