// The gRPC face over TLS. Client certificates are asked for but not required (token clients
// connect without one), and verified against the cluster CA: grpc-js's createSsl cannot say
// that (its checkClientCertificate=false does not even ask), a certificate provider with
// requireClientCertificate=false does. grpc-js then hands a handler the peer certificate
// only when the socket is authorized (call.getAuthContext().sslPeerCertificate).
import * as grpc from '@grpc/grpc-js';

export interface GrpcTls {
  cert: Buffer;
  key: Buffer;
  /** Verify client certificates against this CA (--client-ca-file). */
  clientCa?: Buffer;
}

/**
 * A provider of fixed certificates, for both the CA and the identity roles. It answers a new
 * listener after a tick, as grpc-js's file watcher does: grpc-js registers the server as a
 * watcher of the credentials only after adding its listeners, and an answer before that is lost.
 */
function staticProvider(t: GrpcTls & { clientCa: Buffer }): grpc.experimental.CertificateProvider {
  return {
    addCaCertificateListener: (l) => void Promise.resolve().then(() => l({ caCertificate: t.clientCa })),
    removeCaCertificateListener: () => undefined,
    addIdentityCertificateListener: (l) => void Promise.resolve().then(() => l({ certificate: t.cert, privateKey: t.key })),
    removeIdentityCertificateListener: () => undefined,
  };
}

export function grpcServerCredentials(tls: GrpcTls | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  if (!tls.clientCa) return grpc.ServerCredentials.createSsl(null, [{ cert_chain: tls.cert, private_key: tls.key }], false);
  // One provider in both places: grpc-js's declaration and implementation disagree on which
  // argument is which.
  const p = staticProvider({ ...tls, clientCa: tls.clientCa });
  return grpc.experimental.createCertificateProviderServerCredentials(p, p, false);
}
