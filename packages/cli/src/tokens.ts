// The admin's bearer token, generated once per cluster home in the CSV form kube-apiserver's
// --token-auth-file reads: kubernetes-admin in system:masters, the only system:masters
// credential (the cluster's own components have client certificates: ./cluster-pki.ts).
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Home } from './home.js';
import { ensureClusterPki, type ClusterPki } from './cluster-pki.js';

export interface Tokens {
  admin: string;
  csvPath: string;
}

export const ADMIN_USER = 'kubernetes-admin';

/** The admin token in a token CSV (older homes named the user "admin"). */
export function adminTokenOf(csv: string): string | undefined {
  return csv.split('\n').map((l) => l.split(',')).find((r) => r[1] === ADMIN_USER || r[1] === 'admin')?.[0];
}

export function ensureTokens(home: Home): Tokens {
  const csvPath = home.path('tokens.csv');
  // A home from before per-component identities holds a shared components token in
  // system:masters: it goes.
  const old = existsSync(csvPath) && /system:k8ts-components/.test(readFileSync(csvPath, 'utf8'));
  if (!existsSync(csvPath) || old) {
    const admin = randomBytes(24).toString('hex');
    writeFileSync(csvPath, `${admin},${ADMIN_USER},${ADMIN_USER},"system:masters"\n`, { mode: 0o600 });
    chmodSync(csvPath, 0o600); // a file rewritten keeps its old mode
    rmSync(home.path('component.token'), { force: true });
  }
  const admin = adminTokenOf(readFileSync(csvPath, 'utf8'));
  if (!admin) throw new Error(`${csvPath} has no admin token; remove it to have a new one made`);
  return { admin, csvPath };
}

export interface ServingCert {
  certPath: string;
  keyPath: string;
  /** The cluster CA's PEM file (what clients trust). */
  caPath: string;
  caKeyPath: string;
  caData: string; // base64 of the CA's PEM, for the kubeconfig
  pki: ClusterPki;
}

/**
 * kubectl (client-go) sends credentials only over TLS: the apiserver serves HTTPS (and gRPC
 * over TLS) with a certificate signed by the cluster CA, made once per home; the kubeconfig
 * and every component trust exactly that CA.
 */
export async function ensureServingCert(home: Home, ips: string[] = ['127.0.0.1'], dnsNames: string[] = []): Promise<ServingCert> {
  const pki = ensureClusterPki(home.dir, { ips, dnsNames });
  return { certPath: pki.servingCertFile, keyPath: pki.servingKeyFile, caPath: pki.caCertFile, caKeyPath: pki.caKeyFile, caData: pki.caData, pki };
}
