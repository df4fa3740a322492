export { loadTokenFile, parseTokenCsv, type TokenTable, type TokenUser } from './token-file.js';
export { bearerToken, ANONYMOUS, type Authenticate } from './authenticate.js';
export { AuthenticatorChain } from './chain.js';
export { tokenFileAuthenticator } from './token-authenticator.js';
export { x509Authenticator } from './x509.js';
export { createAuthentication, type AuthenticationOptions } from './configure.js';
export type { Authenticator, Credentials, UserInfo } from './types.js';
