export { ensureClientCertificate, validClientCertificate, clientCertificatePaths, type TlsBootstrapOptions, type ClientCertificate } from './tls-bootstrap.js';
export { bootstrapAgentCredentials, bootstrapTokenOf, type BootstrapFlags } from './agent-credentials.js';
