// Reading who a certificate names: CN and O values, as kube-apiserver's x509 authenticator
// maps them to a user name and groups. Used by `k8ts status` and tests.
import type forge from 'node-forge';
import { nodeForge } from './forge.js';

export interface CertificateSubject {
  commonName: string;
  organizations: string[];
  notAfter: Date;
  issuerCommonName: string;
}

export function certificateSubject(certPem: string): CertificateSubject {
  const cert = nodeForge().pki.certificateFromPem(certPem);
  const values = (attrs: forge.pki.CertificateField[], name: string) => attrs.filter((a) => a.name === name).map((a) => String(a.value));
  return {
    commonName: values(cert.subject.attributes, 'commonName')[0] ?? '',
    organizations: values(cert.subject.attributes, 'organizationName'),
    notAfter: cert.validity.notAfter,
    issuerCommonName: values(cert.issuer.attributes, 'commonName')[0] ?? '',
  };
}

/** Whether `certPem` was signed by the CA `caPem` (signature check only, no validity dates). */
export function isSignedBy(certPem: string, caPem: string): boolean {
  try {
    return nodeForge().pki.certificateFromPem(caPem).verify(nodeForge().pki.certificateFromPem(certPem));
  } catch {
    return false;
  }
}

/** The subjectAltName entries of a certificate: DNS names and IP addresses (IPv6 compressed, as "::1"). */
export function certificateAltNames(certPem: string): { dnsNames: string[]; ips: string[] } {
  const ext = nodeForge().pki.certificateFromPem(certPem).getExtension('subjectAltName') as { altNames?: { type: number; value: string; ip?: string }[] } | undefined;
  const names = ext?.altNames ?? [];
  return { dnsNames: names.filter((n) => n.type === 2).map((n) => n.value), ips: names.filter((n) => n.type === 7 && n.ip).map((n) => n.ip!) };
}
