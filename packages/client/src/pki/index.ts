export { generateKeyPair, prefetchKeyPairs, type KeyPairPem } from './keys.js';
export { createCa, signCertificate, issueServingCert, issueClientCert, DEFAULT_SERVING_DNS_NAMES, type CertKeyPair, type CertTemplate, type SignOptions } from './certificates.js';
export { certificateSubject, certificateAltNames, isSignedBy, type CertificateSubject } from './subject.js';
export { ADMIN_IDENTITY, SCHEDULER_IDENTITY, CONTROLLER_MANAGER_IDENTITY, PROXY_IDENTITY, DNS_IDENTITY, INGRESS_IDENTITY, PODNET_IDENTITY, NODES_GROUP, JOIN_SERVICE_ACCOUNTS, JOIN_CONFIG_NAME, nodeIdentity, componentIdentity, credentialFileBase, type Identity } from './identities.js';
