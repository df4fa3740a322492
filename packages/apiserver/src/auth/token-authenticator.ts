// kube-apiserver's --token-auth-file as an Authenticator: a bearer token found in the table is
// its user; any other credential is not of its kind (a later authenticator may know it).
import { bearerToken } from './authenticate.js';
import type { TokenTable } from './token-file.js';
import type { Authenticator } from './types.js';

export function tokenFileAuthenticator(tokens: TokenTable): Authenticator {
  return {
    name: 'token-file',
    authenticate(c) {
      const token = bearerToken(c.authorization);
      const user = token ? tokens.get(token) : undefined;
      if (!user) return null;
      return { name: user.name, uid: user.uid || undefined, groups: [...user.groups] };
    },
  };
}
