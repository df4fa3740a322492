// The agent's entry into TLS bootstrap: with --bootstrap-token (or --bootstrap-token-file)
// and --cert-dir, get (or reuse) the node's client certificate using a client that
// authenticates with the bootstrap token only, then hand the certificate to the agent's own
// client through the same environment the common --client-cert/--client-key flags use.
import { readFileSync } from 'node:fs';
import { GrpcClient, type GrpcTlsOptions, type Logger } from '@k8ts/client';
import { ensureClientCertificate, type ClientCertificate } from './tls-bootstrap.js';

export interface BootstrapFlags {
  bootstrapToken?: string;
  bootstrapTokenFile?: string;
  certDir?: string;
}

/** The bootstrap token from the flags (the file's content trimmed); undefined when none is given. */
export function bootstrapTokenOf(f: BootstrapFlags): string | undefined {
  if (f.bootstrapTokenFile) return readFileSync(f.bootstrapTokenFile, 'utf8').trim();
  return f.bootstrapToken || undefined;
}

export async function bootstrapAgentCredentials(o: { server: string; token: string; certDir: string; nodeName: string; tls: GrpcTlsOptions; log?: Logger }): Promise<ClientCertificate> {
  const client = new GrpcClient({ server: o.server, token: o.token, caFile: o.tls.caFile });
  try {
    const caPem = o.tls.caFile ? readFileSync(o.tls.caFile, 'utf8') : undefined;
    const cert = await ensureClientCertificate({ nodeName: o.nodeName, certDir: o.certDir, client, caPem, log: o.log });
    process.env.K8TS_CLIENT_CERT = cert.certFile;
    process.env.K8TS_CLIENT_KEY = cert.keyFile;
    return cert;
  } finally {
    client.close();
  }
}
