// The cluster CA and the certificates it signs, with node-forge (no openssl in the compose
// containers): a self-signed CA, serving certificates with SANs, and client certificates in
// Kubernetes' x509 form (CN = user name, O = groups, extKeyUsage clientAuth).
import { randomBytes } from 'node:crypto';
import type forge from 'node-forge';
import { nodeForge } from './forge.js';
import { forgePrivateKey, forgePublicKey, generateKeyPair } from './keys.js';

/** A certificate and its private key, PEM. */
export interface CertKeyPair {
  certPem: string;
  keyPem: string;
}

export interface CertTemplate {
  commonName: string;
  organizations?: string[];
  /** Validity in days from now (default 365; the CA's default is 10 years). */
  days?: number;
}

const DAY_MS = 86_400_000;

function serialNumber(): string {
  // 16 random bytes, top bit clear so the DER integer stays positive.
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

function subjectAttrs(t: CertTemplate): forge.pki.CertificateField[] {
  return [...(t.organizations ?? []).map((o) => ({ name: 'organizationName', value: o })), { name: 'commonName', value: t.commonName }];
}

function newCertificate(publicKeyPem: string, t: CertTemplate, defaultDays: number): forge.pki.Certificate {
  const cert = nodeForge().pki.createCertificate();
  cert.publicKey = forgePublicKey(publicKeyPem);
  cert.serialNumber = serialNumber();
  // A minute back: a clock a little behind ours still accepts a certificate made just now.
  const notBefore = new Date(Date.now() - 60_000);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = new Date(notBefore.getTime() + (t.days ?? defaultDays) * DAY_MS);
  cert.setSubject(subjectAttrs(t));
  return cert;
}

/** A self-signed CA: basicConstraints CA:TRUE, keyUsage keyCertSign + cRLSign. */
export function createCa(t: CertTemplate = { commonName: 'k8ts-ca' }): CertKeyPair {
  const keys = generateKeyPair();
  const cert = newCertificate(keys.publicKeyPem, t, 3650);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forgePrivateKey(keys.privateKeyPem), nodeForge().md.sha256.create());
  return { certPem: nodeForge().pki.certificateToPem(cert), keyPem: keys.privateKeyPem };
}

export interface SignOptions extends CertTemplate {
  /** The subject's public key (PEM, SPKI); without it a new key pair is made and returned. */
  publicKeyPem?: string;
  usage: 'server' | 'client' | 'both';
  ips?: string[];
  dnsNames?: string[];
}

/**
 * A leaf certificate signed by `ca`. With `publicKeyPem` (a CSR's key) only the certificate
 * is made and `keyPem` is ''.
 */
export function signCertificate(ca: CertKeyPair, o: SignOptions): CertKeyPair {
  const keys = o.publicKeyPem ? { publicKeyPem: o.publicKeyPem, privateKeyPem: '' } : generateKeyPair();
  const caCert = nodeForge().pki.certificateFromPem(ca.certPem);
  const cert = newCertificate(keys.publicKeyPem, o, 365);
  cert.setIssuer(caCert.subject.attributes);
  const ext: Record<string, unknown>[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: o.usage !== 'client', clientAuth: o.usage !== 'server' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ];
  const altNames = [...(o.dnsNames ?? []).map((value) => ({ type: 2, value })), ...(o.ips ?? []).map((ip) => ({ type: 7, ip }))];
  if (altNames.length) ext.push({ name: 'subjectAltName', altNames });
  cert.setExtensions(ext);
  cert.sign(forgePrivateKey(ca.keyPem), nodeForge().md.sha256.create());
  return { certPem: nodeForge().pki.certificateToPem(cert), keyPem: keys.privateKeyPem };
}

export const DEFAULT_SERVING_DNS_NAMES = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];

/** The apiserver's serving certificate: its IPs and names as SANs. */
export function issueServingCert(ca: CertKeyPair, o: { ips?: string[]; dnsNames?: string[]; commonName?: string; days?: number } = {}): CertKeyPair {
  return signCertificate(ca, {
    commonName: o.commonName ?? 'kube-apiserver',
    usage: 'server',
    ips: o.ips ?? ['127.0.0.1'],
    dnsNames: o.dnsNames ?? DEFAULT_SERVING_DNS_NAMES,
    days: o.days,
  });
}

/** A client certificate for `user` in `groups` (CN and O, as kube-apiserver's x509 authenticator reads them). */
export function issueClientCert(ca: CertKeyPair, o: { user: string; groups?: string[]; days?: number; publicKeyPem?: string }): CertKeyPair {
  return signCertificate(ca, { commonName: o.user, organizations: o.groups ?? [], usage: 'client', days: o.days, publicKeyPem: o.publicKeyPem });
}
