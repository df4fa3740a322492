// The authenticators of one apiserver, tried in Kubernetes' order (x509 client certificates,
// the token file, then those other parts register: bootstrap tokens, service account tokens).
// The first that knows the credentials decides: its user (plus system:authenticated), or its
// 401. When none knows them: 401, or, on an apiserver with no authentication configured at
// all (tests), system:anonymous.
import { unauthorized } from '../registry/errors.js';
import { ANONYMOUS, type Authenticate } from './authenticate.js';
import type { Authenticator, Credentials, UserInfo } from './types.js';

const AUTHENTICATED = 'system:authenticated';

export class AuthenticatorChain {
  private readonly authenticators: Authenticator[];

  /** @param anonymous whether credentials no authenticator knows are system:anonymous (else 401). */
  constructor(authenticators: Authenticator[], readonly anonymous: boolean) {
    this.authenticators = [...authenticators];
  }

  /** Adds one after those already there (bootstrap tokens, service account tokens). */
  add(a: Authenticator): void {
    this.authenticators.push(a);
  }

  get names(): string[] {
    return this.authenticators.map((a) => a.name);
  }

  readonly authenticate: Authenticate = async (c: Credentials): Promise<UserInfo> => {
    for (const a of this.authenticators) {
      const r = a.authenticate(c);
      const user = r instanceof Promise ? await r : r;
      if (user) return withAuthenticated(user);
    }
    if (this.anonymous) return ANONYMOUS;
    throw unauthorized();
  };
}

function withAuthenticated(u: UserInfo): UserInfo {
  const groups = u.groups.includes(AUTHENTICATED) ? u.groups : [...u.groups, AUTHENTICATED];
  const out: UserInfo = { name: u.name, groups };
  if (u.uid) out.uid = u.uid;
  if (u.extra) out.extra = u.extra;
  return out;
}
