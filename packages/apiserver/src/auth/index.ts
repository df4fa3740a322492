export { loadTokenFile, parseTokenCsv, type TokenTable, type TokenUser } from './token-file.js';
export { createAuthenticator, bearerToken, ANONYMOUS, type Authenticate } from './authenticate.js';
