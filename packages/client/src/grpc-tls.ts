// The channel credentials of a k8ts gRPC client: TLS that trusts the cluster CA (--ca-file),
// with a client certificate when given (--client-cert/--client-key: the x509 identity), or
// plaintext when no TLS is configured (tests, old setups). Key files are read here and never
// logged; a missing file is an error naming its path only.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';

export interface GrpcTlsOptions {
  /** PEM file of the CA that signed the apiserver's serving certificate: TLS when set. */
  caFile?: string;
  /** PEM file of this client's certificate (its identity: CN user, O groups). */
  clientCertFile?: string;
  /** PEM file of the key of --client-cert. */
  clientKeyFile?: string;
}

function read(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read ${flag} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Whether any TLS option is set. */
export function tlsConfigured(o: GrpcTlsOptions): boolean {
  return Boolean(o.caFile || o.clientCertFile || o.clientKeyFile);
}

export function channelCredentials(o: GrpcTlsOptions): grpc.ChannelCredentials {
  if (!tlsConfigured(o)) return grpc.credentials.createInsecure();
  if (!!o.clientCertFile !== !!o.clientKeyFile) throw new Error('--client-cert and --client-key go together');
  const ca = o.caFile ? read('--ca-file', o.caFile) : null;
  const key = o.clientKeyFile ? read('--client-key', o.clientKeyFile) : null;
  const cert = o.clientCertFile ? read('--client-cert', o.clientCertFile) : null;
  return grpc.credentials.createSsl(ca, key, cert);
}

/** The TLS options from the environment (K8TS_CA_FILE, K8TS_CLIENT_CERT, K8TS_CLIENT_KEY) where the flags leave them unset. */
export function tlsFromEnv(o: GrpcTlsOptions, env: NodeJS.ProcessEnv = process.env): GrpcTlsOptions {
  return {
    caFile: o.caFile || env.K8TS_CA_FILE || undefined,
    clientCertFile: o.clientCertFile || env.K8TS_CLIENT_CERT || undefined,
    clientKeyFile: o.clientKeyFile || env.K8TS_CLIENT_KEY || undefined,
  };
}
