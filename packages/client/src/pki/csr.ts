// Certificate signing requests: a key and a CSR for an agent's TLS bootstrap, reading a CSR
// the way the apiserver and the CSR controllers must (every CSR comes from a client), and
// signing one with the cluster CA as kube-controller-manager's csrsigning does.
// node-forge signs and verifies with RSA keys only, so keys made here are RSA.
import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import type forge from 'node-forge';
import { nodeForge } from './forge.js';


export interface CsrSubject {
  commonName: string;
  organizations: string[];
}

export interface KeyAndCsr {
  /** PKCS#1 RSA private key, PEM. */
  keyPem: string;
  csrPem: string;
}

/** A new RSA key and a CSR signed with it for `subject`. */
export function createKeyAndCsr(subject: CsrSubject, bits = 2048): KeyAndCsr {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return { keyPem, csrPem: createCsr(keyPem, subject) };
}

/** A CSR for `subject`, signed with the RSA key in `keyPem`. */
export function createCsr(keyPem: string, subject: CsrSubject): string {
  const key = nodeForge().pki.privateKeyFromPem(keyPem);
  const csr = nodeForge().pki.createCertificationRequest();
  csr.publicKey = nodeForge().pki.setRsaPublicKey(key.n, key.e);
  const attrs: forge.pki.CertificateField[] = [{ name: 'commonName', value: subject.commonName }];
  for (const o of subject.organizations) attrs.push({ name: 'organizationName', value: o });
  csr.setSubject(attrs);
  csr.sign(key, nodeForge().md.sha256.create());
  return nodeForge().pki.certificationRequestToPem(csr);
}

export interface ParsedCsr extends CsrSubject {
  /** The requested public key, PEM (SubjectPublicKeyInfo). */
  publicKeyPem: string;
  /** Subject alternative names requested (DNS names, IPs, emails, URIs), for the controllers' checks. */
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
}

/**
 * Reads one PEM CERTIFICATE REQUEST and checks its self-signature. Throws an Error saying
 * what is wrong (no PEM block, another block type, not a CSR, bad signature, not RSA).
 */
export function parseCsr(pem: string): ParsedCsr {
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN')) throw new Error('PEM block type must be CERTIFICATE REQUEST');
  let blocks: forge.pem.ObjectPEM[];
  try {
    blocks = nodeForge().pem.decode(pem);
  } catch {
    throw new Error('PEM block type must be CERTIFICATE REQUEST');
  }
  if (blocks.length !== 1 || blocks[0].type !== 'CERTIFICATE REQUEST') throw new Error('PEM block type must be CERTIFICATE REQUEST');
  let csr: forge.pki.CertificateSigningRequest;
  try {
    csr = nodeForge().pki.certificationRequestFromPem(pem, false, true);
  } catch (err) {
    throw new Error(`x509: malformed certificate request: ${(err as Error).message}`);
  }
  let ok = false;
  try {
    ok = csr.verify();
  } catch {
    ok = false;
  }
  if (!ok) throw new Error('x509: certificate request signature is invalid');
  const field = (name: string) => csr.subject.attributes.filter((a: forge.pki.CertificateField) => a.name === name).map((a: forge.pki.CertificateField) => String(a.value));
  const san = sanOf(csr);
  return {
    commonName: field('commonName')[0] ?? '',
    organizations: field('organizationName'),
    publicKeyPem: nodeForge().pki.publicKeyToPem(csr.publicKey as forge.pki.rsa.PublicKey),
    ...san,
  };
}

function sanOf(csr: forge.pki.CertificateSigningRequest): Pick<ParsedCsr, 'dnsNames' | 'ipAddresses' | 'emailAddresses' | 'uris'> {
  const out = { dnsNames: [] as string[], ipAddresses: [] as string[], emailAddresses: [] as string[], uris: [] as string[] };
  const ext = csr.getAttribute({ name: 'extensionRequest' }) as { extensions?: { name?: string; altNames?: { type: number; value?: string; ip?: string }[] }[] } | null;
  for (const e of ext?.extensions ?? []) {
    if (e.name !== 'subjectAltName') continue;
    for (const n of e.altNames ?? []) {
      if (n.type === 2 && n.value) out.dnsNames.push(n.value);
      else if (n.type === 7) out.ipAddresses.push(n.ip ?? '');
      else if (n.type === 1 && n.value) out.emailAddresses.push(n.value);
      else if (n.type === 6 && n.value) out.uris.push(n.value);
    }
  }
  return out;
}

export interface SignCsrOptions {
  csrPem: string;
  caCertPem: string;
  /** The CA's RSA private key, PEM (PKCS#1 or PKCS#8). */
  caKeyPem: string;
  /** certificates.k8s.io key usages ("digital signature", "client auth", ...). */
  usages: string[];
  durationSeconds: number;
  now?: Date;
}

// Kubernetes' signer backdates certificates by 5 minutes to tolerate clock skew.
const BACKDATE_MS = 5 * 60 * 1000;

/** Signs a CSR with the CA: the CSR's subject and key, the given usages, issuer the CA. */
export function signCsr(o: SignCsrOptions): string {
  const csr = nodeForge().pki.certificationRequestFromPem(o.csrPem, false, true);
  const ca = nodeForge().pki.certificateFromPem(o.caCertPem);
  const caKey = nodeForge().pki.privateKeyFromPem(o.caKeyPem);
  const now = o.now ?? new Date();
  const cert = nodeForge().pki.createCertificate();
  cert.publicKey = csr.publicKey as forge.pki.rsa.PublicKey;
  // A positive 128-bit serial, as Kubernetes' signer draws it.
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(now.getTime() - BACKDATE_MS);
  const notAfter = new Date(now.getTime() + o.durationSeconds * 1000);
  const caNotAfter = ca.validity.notAfter;
  cert.validity.notAfter = notAfter > caNotAfter ? caNotAfter : notAfter;
  cert.setSubject(csr.subject.attributes);
  cert.setIssuer(ca.subject.attributes);
  cert.setExtensions(extensionsFor(o.usages, csr, ca));
  cert.sign(caKey, nodeForge().md.sha256.create());
  return nodeForge().pki.certificateToPem(cert);
}

function extensionsFor(usages: string[], csr: forge.pki.CertificateSigningRequest, ca: forge.pki.Certificate): object[] {
  const u = new Set(usages);
  const exts: object[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    {
      name: 'keyUsage',
      critical: true,
      digitalSignature: u.has('digital signature'),
      keyEncipherment: u.has('key encipherment'),
      dataEncipherment: u.has('data encipherment'),
      keyAgreement: u.has('key agreement'),
    },
  ];
  const ext = { name: 'extKeyUsage', clientAuth: u.has('client auth'), serverAuth: u.has('server auth') };
  if (ext.clientAuth || ext.serverAuth) exts.push(ext);
  const caKeyId = ca.generateSubjectKeyIdentifier().getBytes();
  exts.push({ name: 'authorityKeyIdentifier', keyIdentifier: caKeyId });
  const req = csr.getAttribute({ name: 'extensionRequest' }) as { extensions?: { name?: string }[] } | null;
  const san = req?.extensions?.find((e) => e.name === 'subjectAltName');
  if (san) exts.push(san);
  return exts;
}

export interface CertificateInfo extends CsrSubject {
  notBefore: Date;
  notAfter: Date;
}

/** Subject and validity of a PEM certificate (the first one in `pem`). */
export function certificateInfo(pem: string): CertificateInfo {
  const cert = new X509Certificate(pem);
  const lines = cert.subject.split('\n');
  const values = (k: string) => lines.filter((l) => l.startsWith(`${k}=`)).map((l) => l.slice(k.length + 1));
  return {
    commonName: values('CN')[0] ?? '',
    organizations: values('O'),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
  };
}

/** True when the PEM certificate was signed by the PEM CA certificate and its key matches `keyPem`. */
export function certificateMatches(certPem: string, keyPem: string, caPem: string): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
    return cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

