// The cluster CA of a home (`k8ts up`'s ~/.k8ts, or the compose `init` service's secrets
// volume), made once: the apiserver's serving certificate (REST and gRPC) is signed by it, and
// so is a client certificate per component, in Kubernetes' names (system:node:<name>,
// system:kube-scheduler, …). Keys and client certificates are 0600; nothing here logs them.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { intToIpv4, parseIpv4Cidr } from '@k8ts/api';
import { createCa, credentialFileBase, certificateSubject, isSignedBy, issueClientCert, issueServingCert, DEFAULT_SERVING_DNS_NAMES, type CertKeyPair, type Identity } from '@k8ts/client';

export interface ClusterPki {
  dir: string;
  caCertFile: string;
  caKeyFile: string;
  servingCertFile: string;
  servingKeyFile: string;
  /** base64 of the CA's PEM, for kubeconfigs. */
  caData: string;
  ca: CertKeyPair;
}

/** A component's credential: the files its --ca-file, --client-cert and --client-key name. */
export interface ClientCredential {
  identity: Identity;
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** Writes a key or credential 0600, also over an existing file. */
export function writeSecret(path: string, data: string): void {
  writeFileSync(path, data, { mode: 0o600 });
  chmodSync(path, 0o600); // an existing file keeps its mode on write
}

/**
 * The CA under <dir>/pki (made when absent) and a serving certificate for `ips` and
 * `dnsNames` (made again each time: addresses may change between `up`s).
 */
export function ensureClusterPki(dir: string, o: { ips: string[]; dnsNames?: string[] }): ClusterPki {
  const pki = join(dir, 'pki');
  mkdirSync(pki, { recursive: true, mode: 0o700 });
  const caCertFile = join(pki, 'ca.crt');
  const caKeyFile = join(pki, 'ca.key');
  let ca: CertKeyPair;
  if (existsSync(caCertFile) && existsSync(caKeyFile)) ca = { certPem: readFileSync(caCertFile, 'utf8'), keyPem: readFileSync(caKeyFile, 'utf8') };
  else {
    ca = createCa({ commonName: 'k8ts-ca' });
    writeSecret(caKeyFile, ca.keyPem);
    writeFileSync(caCertFile, ca.certPem, { mode: 0o644 });
  }
  const serving = issueServingCert(ca, { ips: o.ips, dnsNames: [...DEFAULT_SERVING_DNS_NAMES, ...(o.dnsNames ?? [])] });
  const servingCertFile = join(pki, 'apiserver.crt');
  const servingKeyFile = join(pki, 'apiserver.key');
  writeSecret(servingKeyFile, serving.keyPem);
  // The chain up to the CA, as servers may send it: `k8ts join` finds the CA in the handshake
  // and pins it by the hash its join command names (kubeadm's discovery-token-ca-cert-hash).
  writeFileSync(servingCertFile, serving.certPem.trimEnd() + '\n' + ca.certPem, { mode: 0o644 });
  return { dir: pki, caCertFile, caKeyFile, servingCertFile, servingKeyFile, caData: Buffer.from(ca.certPem).toString('base64'), ca };
}

/** The CA of a home made earlier (for `k8ts kubeconfig --user`), or undefined. */
export function readClusterCa(dir: string): CertKeyPair | undefined {
  const cert = join(dir, 'pki', 'ca.crt');
  const key = join(dir, 'pki', 'ca.key');
  if (!existsSync(cert) || !existsSync(key)) return undefined;
  return { certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') };
}

export function credentialFiles(pkiDir: string, id: Identity): { certFile: string; keyFile: string } {
  const base = credentialFileBase(id);
  return { certFile: join(pkiDir, `${base}.crt`), keyFile: join(pkiDir, `${base}.key`) };
}

/** The client certificate of `id`: kept when it still names `id` and was signed by this CA, else made anew. */
export function ensureClientCredential(pki: ClusterPki, id: Identity): ClientCredential {
  const { certFile, keyFile } = credentialFiles(pki.dir, id);
  if (!existsSync(certFile) || !existsSync(keyFile) || !matches(readFileSync(certFile, 'utf8'), id, pki.ca.certPem)) {
    const pair = issueClientCert(pki.ca, { user: id.user, groups: id.groups });
    writeSecret(keyFile, pair.keyPem);
    writeSecret(certFile, pair.certPem);
  }
  return { identity: id, caFile: pki.caCertFile, certFile, keyFile };
}

function matches(certPem: string, id: Identity, caPem: string): boolean {
  try {
    const s = certificateSubject(certPem);
    return s.commonName === id.user && s.organizations.join(',') === id.groups.join(',') && s.notAfter.getTime() > Date.now() + 86_400_000 && isSignedBy(certPem, caPem);
  } catch {
    return false;
  }
}

/** The client flags of a component running as `cred`. */
export function credentialFlags(cred: Pick<ClientCredential, 'caFile' | 'certFile' | 'keyFile'>): string[] {
  return ['--ca-file', cred.caFile, '--client-cert', cred.certFile, '--client-key', cred.keyFile];
}

/** Who a credential file names ("system:node:agent-1 (system:nodes)"), for `k8ts status`. */
export function describeCredential(certFile: string): string {
  try {
    const s = certificateSubject(readFileSync(certFile, 'utf8'));
    return s.organizations.length ? `${s.commonName} (${s.organizations.join(', ')})` : s.commonName;
  } catch {
    return '-';
  }
}

/** The first address of a Service range (10.96.0.0/16 → 10.96.0.1): the `kubernetes` Service's ClusterIP. */
export function firstServiceIp(range: string): string | undefined {
  const cidr = parseIpv4Cidr(range);
  return cidr && cidr.size > 1 ? intToIpv4(cidr.base + 1) : undefined;
}
