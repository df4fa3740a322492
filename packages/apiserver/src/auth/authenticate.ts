// Bearer token authentication shared by the REST and gRPC faces. Without a token file
// every request is anonymous (kube-apiserver with no authenticator configured); with one,
// a missing or unknown token is 401.
import type { RequestUser } from '../registry/types.js';
import { unauthorized } from '../registry/errors.js';
import type { TokenTable } from './token-file.js';

export type Authenticate = (authorizationHeader: string | undefined | null) => RequestUser;

export const ANONYMOUS: RequestUser = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

export function bearerToken(header: string | undefined | null): string | undefined {
  if (!header) return undefined;
  const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}

export function createAuthenticator(tokens: TokenTable | undefined): Authenticate {
  if (!tokens) return () => ANONYMOUS;
  return (header) => {
    const token = bearerToken(header);
    if (!token) throw unauthorized();
    const user = tokens.get(token);
    if (!user) throw unauthorized();
    return { name: user.name, groups: [...user.groups, 'system:authenticated'] };
  };
}
