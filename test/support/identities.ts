// Identities for test clusters: a cluster CA in a directory, the apiserver's serving
// certificate signed by it, and a credential per component (a client certificate, or a token
// line for the token CSV), named as Kubernetes names them, so tests can run each component
// as itself once authorization is on (Node,RBAC) instead of as one system:masters user.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCa, credentialFileBase, issueClientCert, issueServingCert, type CertKeyPair, type Identity } from '@k8ts/client';

import { SCHEDULER_IDENTITY, CONTROLLER_MANAGER_IDENTITY, PROXY_IDENTITY, DNS_IDENTITY, INGRESS_IDENTITY, nodeIdentity } from '@k8ts/client';
export { ADMIN_IDENTITY, SCHEDULER_IDENTITY, CONTROLLER_MANAGER_IDENTITY, PROXY_IDENTITY, DNS_IDENTITY, INGRESS_IDENTITY, nodeIdentity, componentIdentity, type Identity } from '@k8ts/client';

/** The paths a component's client takes: --ca-file, --client-cert, --client-key. */
export interface ClientCertFiles {
  caFile: string;
  clientCertFile: string;
  clientKeyFile: string;
}

export interface TestPki {
  dir: string;
  ca: CertKeyPair;
  caFile: string;
  /** The apiserver's serving certificate (127.0.0.1, localhost, kubernetes…), for REST and gRPC. */
  servingCertFile: string;
  servingKeyFile: string;
  servingCertPem: string;
  /** A client certificate for `id`, written under dir/<file>.crt/.key (0600). */
  clientCert(id: Identity, file?: string): ClientCertFiles & CertKeyPair;
}


export function createTestPki(dir: string, opts: { ips?: string[]; dnsNames?: string[] } = {}): TestPki {
  mkdirSync(dir, { recursive: true });
  const ca = createCa({ commonName: 'k8ts-test-ca' });
  const caFile = join(dir, 'ca.crt');
  writeFileSync(caFile, ca.certPem);
  // Where `k8ts kubeconfig --user` finds it when K8TS_HOME is the parent directory.
  writeFileSync(join(dir, 'ca.key'), ca.keyPem, { mode: 0o600 });
  const serving = issueServingCert(ca, { ips: opts.ips ?? ['127.0.0.1'], dnsNames: opts.dnsNames });
  const servingCertFile = join(dir, 'apiserver.crt');
  const servingKeyFile = join(dir, 'apiserver.key');
  writeFileSync(servingCertFile, serving.certPem);
  writeFileSync(servingKeyFile, serving.keyPem, { mode: 0o600 });
  return {
    dir,
    ca,
    caFile,
    servingCertFile,
    servingKeyFile,
    servingCertPem: serving.certPem,
    clientCert(id, file = credentialFileBase(id)) {
      const pair = issueClientCert(ca, { user: id.user, groups: id.groups });
      const clientCertFile = join(dir, `${file}.crt`);
      const clientKeyFile = join(dir, `${file}.key`);
      writeFileSync(clientCertFile, pair.certPem, { mode: 0o600 });
      writeFileSync(clientKeyFile, pair.keyPem, { mode: 0o600 });
      return { caFile, clientCertFile, clientKeyFile, ...pair };
    },
  };
}

/**
 * Tokens bound to identities, as lines of kube-apiserver's --token-auth-file: a test that
 * starts components over plaintext gRPC gives each its own token from here.
 */
export class TokenIdentities {
  private readonly rows: string[] = [];
  readonly tokens = new Map<string, string>();

  /** The token of `id` (made on first use: only tokens made before the apiserver read the CSV authenticate). */
  tokenFor(id: Identity): string {
    let t = this.tokens.get(id.user);
    if (!t) {
      t = `${credentialFileBase(id)}-${randomBytes(12).toString('hex')}`;
      this.tokens.set(id.user, t);
      this.rows.push(`${t},${id.user},${id.user},"${id.groups.join(',')}"`);
    }
    return t;
  }

  /** The CSV lines for every token made so far. */
  csv(): string {
    return this.rows.join('\n') + (this.rows.length ? '\n' : '');
  }
}

/** The cluster's own components and these nodes, each with a token (made now, so a CSV written before the apiserver starts holds them). */
export function componentTokens(nodes: string[] = []): TokenIdentities {
  const t = new TokenIdentities();
  for (const id of [SCHEDULER_IDENTITY, CONTROLLER_MANAGER_IDENTITY, PROXY_IDENTITY, DNS_IDENTITY, INGRESS_IDENTITY, ...nodes.map(nodeIdentity)]) t.tokenFor(id);
  return t;
}
