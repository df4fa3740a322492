// What a REST request presents: its Authorization header and, over TLS, the client
// certificate the handshake verified against --client-ca-file (socket.authorized). A
// certificate that did not verify is not passed on: the request then needs another
// credential, or is a 401.
import type { IncomingMessage } from 'node:http';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { Credentials } from '../auth/types.js';

// One connection carries many requests: its certificate is read once.
const verified = new WeakMap<object, PeerCertificate | null>();

export function verifiedPeerCertificate(socket: unknown): PeerCertificate | null {
  const s = socket as Partial<TLSSocket> | null;
  if (!s || !s.encrypted || typeof s.getPeerCertificate !== 'function') return null;
  let cert = verified.get(s);
  if (cert === undefined) {
    const p = s.authorized ? s.getPeerCertificate() : null;
    cert = p && p.raw ? p : null;
    verified.set(s, cert);
  }
  return cert;
}

export function credentialsOfRequest(req: IncomingMessage): Credentials {
  return { authorization: req.headers.authorization, peerCertificate: verifiedPeerCertificate(req.socket) };
}
