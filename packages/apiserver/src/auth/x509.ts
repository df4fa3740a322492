// kube-apiserver's x509 authenticator (--client-ca-file): a client certificate that the TLS
// layer verified against the cluster CA names the user in its CN and the groups in its O
// values. The faces pass only verified certificates (REST: socket.authorized; gRPC: the auth
// context, which grpc-js fills only for an authorized socket), so one signed by another CA
// never gets here and the request ends as 401 when nothing else vouches for it.
import type { PeerCertificate } from 'node:tls';
import { unauthorized } from '../registry/errors.js';
import type { Authenticator } from './types.js';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

function values(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

export function x509Authenticator(): Authenticator {
  return {
    name: 'x509',
    authenticate(c) {
      const cert = c.peerCertificate as (PeerCertificate & { ext_key_usage?: string[] }) | null | undefined;
      if (!cert || !cert.subject) return null;
      // As Kubernetes: the certificate must be for client authentication, and name someone.
      if (cert.ext_key_usage && !cert.ext_key_usage.includes(CLIENT_AUTH)) throw unauthorized();
      const name = values(cert.subject.CN)[0];
      if (!name) throw unauthorized();
      return { name, groups: values(cert.subject.O) };
    },
  };
}
