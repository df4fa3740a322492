// Until the authenticator chain (auth/chain.ts) lands: authenticators consulted before the
// token file, each answering for the tokens of its kind and passing the rest on. Only
// synchronous authenticators (answered from caches) fit the current Authenticate type.
// The chain replaces this file: register the same Authenticator objects in it.
import type { Authenticate } from './authenticate.js';
import type { Authenticator } from './types.js';

export function withAuthenticators(base: Authenticate, extra: readonly Authenticator[]): Authenticate {
  return (header) => {
    for (const a of extra) {
      const u = a.authenticate({ authorization: header });
      if (u && !(u instanceof Promise)) return u;
    }
    return base(header);
  };
}
