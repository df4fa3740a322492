// etcd's own PKI, in kubeadm's layout under <home>/pki: a CA apart from the cluster CA
// (etcd/ca.crt|key), so that no component's client certificate opens etcd; per member a
// serving certificate (etcd/server.crt) and a peer certificate (etcd/peer.crt) naming its
// hostnames, localhost and 127.0.0.1; a client for health checks and drills
// (etcd/healthcheck-client.crt); and the apiserver's client (apiserver-etcd-client.crt), the
// only certificate its --etcd-certfile takes. Compose runs three members off one volume, so
// there each member's pair lives in etcd/<member>/. Keys are 0600; nothing here logs them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { certificateAltNames, certificateSubject, createCa, isSignedBy, issueClientCert, signCertificate, type CertKeyPair } from '@k8ts/client';
import { writeSecret } from './cluster-pki.js';

/** kubeadm's common names for etcd's CA and its two client certificates. */
export const ETCD_CA_NAME = 'etcd-ca';
export const APISERVER_ETCD_CLIENT_NAME = 'kube-apiserver-etcd-client';
export const ETCD_HEALTHCHECK_CLIENT_NAME = 'kube-etcd-healthcheck-client';

/** One etcd member: its --name and the addresses clients and peers reach it at. */
export interface EtcdMember {
  name: string;
  /** Host names in its certificates' SANs besides localhost (compose: the service name). */
  hostnames?: string[];
  /** IPs in its SANs besides 127.0.0.1 and ::1. */
  ips?: string[];
  /** Whether its files go in etcd/<name>/ (several members off one directory) or in etcd/ (kubeadm's). */
  ownDir?: boolean;
}

/** The files an etcd member's TLS flags name. */
export interface EtcdMemberFiles {
  name: string;
  certFile: string;
  keyFile: string;
  peerCertFile: string;
  peerKeyFile: string;
  trustedCaFile: string;
}

/** A client of etcd: what etcdctl's --cacert, --cert and --key (or the apiserver's --etcd-*) name. */
export interface EtcdClientFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface EtcdPkiPaths {
  dir: string;
  caCertFile: string;
  caKeyFile: string;
  apiserverClient: EtcdClientFiles;
  healthcheckClient: EtcdClientFiles;
  member(m: Pick<EtcdMember, 'name' | 'ownDir'>): EtcdMemberFiles;
}

/** Where everything is, under `pkiDir` (<home>/pki); nothing is made. */
export function etcdPkiPaths(pkiDir: string): EtcdPkiPaths {
  const dir = join(pkiDir, 'etcd');
  const caCertFile = join(dir, 'ca.crt');
  const client = (base: string): EtcdClientFiles => ({ caFile: caCertFile, certFile: `${base}.crt`, keyFile: `${base}.key` });
  return {
    dir,
    caCertFile,
    caKeyFile: join(dir, 'ca.key'),
    apiserverClient: client(join(pkiDir, 'apiserver-etcd-client')),
    healthcheckClient: client(join(dir, 'healthcheck-client')),
    member(m) {
      const d = m.ownDir ? join(dir, m.name) : dir;
      return { name: m.name, certFile: join(d, 'server.crt'), keyFile: join(d, 'server.key'), peerCertFile: join(d, 'peer.crt'), peerKeyFile: join(d, 'peer.key'), trustedCaFile: caCertFile };
    },
  };
}

export interface EtcdPki extends EtcdPkiPaths {
  ca: CertKeyPair;
  members: EtcdMemberFiles[];
}

/** The SANs of a member's serving and peer certificates (kubeadm's defaults plus its own names). */
export function etcdMemberSans(m: EtcdMember): { dnsNames: string[]; ips: string[] } {
  return { dnsNames: unique(['localhost', ...(m.hostnames ?? [])]), ips: unique(['127.0.0.1', '::1', ...(m.ips ?? [])]) };
}

/**
 * The etcd CA under <homeDir>/pki/etcd (made when absent), each member's serving and peer
 * certificates and the two client certificates: each kept while it still fits (this CA, its
 * name and SANs, a day of validity left), else made anew.
 */
export function ensureEtcdPki(homeDir: string, members: EtcdMember[]): EtcdPki {
  const paths = etcdPkiPaths(join(homeDir, 'pki'));
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  let ca: CertKeyPair;
  if (existsSync(paths.caCertFile) && existsSync(paths.caKeyFile)) ca = { certPem: readFileSync(paths.caCertFile, 'utf8'), keyPem: readFileSync(paths.caKeyFile, 'utf8') };
  else {
    ca = createCa({ commonName: ETCD_CA_NAME });
    writeSecret(paths.caKeyFile, ca.keyPem);
    writeFileSync(paths.caCertFile, ca.certPem, { mode: 0o644 });
  }
  const files = members.map((m) => {
    const f = paths.member(m);
    mkdirSync(dirname(f.certFile), { recursive: true, mode: 0o700 });
    const sans = etcdMemberSans(m);
    // Both usages on both, as kubeadm makes them: a member is its peers' client too.
    ensureLeaf(ca, f.certFile, f.keyFile, { commonName: m.name, usage: 'both', ...sans });
    ensureLeaf(ca, f.peerCertFile, f.peerKeyFile, { commonName: m.name, usage: 'both', ...sans });
    return f;
  });
  ensureLeaf(ca, paths.apiserverClient.certFile, paths.apiserverClient.keyFile, { commonName: APISERVER_ETCD_CLIENT_NAME, usage: 'client' });
  ensureLeaf(ca, paths.healthcheckClient.certFile, paths.healthcheckClient.keyFile, { commonName: ETCD_HEALTHCHECK_CLIENT_NAME, usage: 'client' });
  return { ...paths, ca, members: files };
}

interface Leaf {
  commonName: string;
  usage: 'client' | 'both';
  dnsNames?: string[];
  ips?: string[];
}

function ensureLeaf(ca: CertKeyPair, certFile: string, keyFile: string, want: Leaf): void {
  if (existsSync(certFile) && existsSync(keyFile) && fits(readFileSync(certFile, 'utf8'), ca.certPem, want)) return;
  const pair = want.usage === 'client' ? issueClientCert(ca, { user: want.commonName }) : signCertificate(ca, { commonName: want.commonName, usage: want.usage, dnsNames: want.dnsNames, ips: want.ips });
  writeSecret(keyFile, pair.keyPem);
  // Client certificates are credentials to this cluster's tools; serving ones are public.
  if (want.usage === 'client') writeSecret(certFile, pair.certPem);
  else writeFileSync(certFile, pair.certPem, { mode: 0o644 });
}

function fits(certPem: string, caPem: string, want: Leaf): boolean {
  try {
    const s = certificateSubject(certPem);
    if (s.commonName !== want.commonName || s.notAfter.getTime() < Date.now() + 86_400_000 || !isSignedBy(certPem, caPem)) return false;
    const have = certificateAltNames(certPem);
    return (want.dnsNames ?? []).every((n) => have.dnsNames.includes(n)) && (want.ips ?? []).every((ip) => have.ips.includes(ip));
  } catch {
    return false;
  }
}

const unique = (xs: string[]) => [...new Set(xs)];
