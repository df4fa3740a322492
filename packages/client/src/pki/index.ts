export { generateKeyPair, type KeyPairPem } from './keys.js';
export { createCa, signCertificate, issueServingCert, issueClientCert, DEFAULT_SERVING_DNS_NAMES, type CertKeyPair, type CertTemplate, type SignOptions } from './certificates.js';
export { certificateSubject, isSignedBy, type CertificateSubject } from './subject.js';
