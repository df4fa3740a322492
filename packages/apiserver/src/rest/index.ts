export { createRestServer, type RestServerOptions } from './server.js';
export { selfSignedCertificate, type TlsKeyPair } from './tls.js';
export { toTable, humanDuration } from './tables/index.js';
