// The chain an apiserver starts with, from its flags: --client-ca-file (x509), then
// --token-auth-file. Anonymous only when neither is given (tests, as before).
import { AuthenticatorChain } from './chain.js';
import { loadTokenFile } from './token-file.js';
import { tokenFileAuthenticator } from './token-authenticator.js';
import { x509Authenticator } from './x509.js';
import type { Authenticator } from './types.js';

export interface AuthenticationOptions {
  tokenAuthFile?: string;
  clientCaFile?: string;
}

export function createAuthentication(o: AuthenticationOptions): AuthenticatorChain {
  const list: Authenticator[] = [];
  if (o.clientCaFile) list.push(x509Authenticator());
  if (o.tokenAuthFile) list.push(tokenFileAuthenticator(loadTokenFile(o.tokenAuthFile)));
  return new AuthenticatorChain(list, list.length === 0);
}
