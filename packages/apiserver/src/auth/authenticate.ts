// The Authenticate function both faces call with what a request presents (its Authorization
// header and, over TLS, its verified client certificate): the user, or a 401 ApiError.
// Built as a chain of Authenticators (./chain.ts).
import type { RequestUser } from '../registry/types.js';
import type { Credentials, UserInfo } from './types.js';

export type Authenticate = (c: Credentials) => Promise<UserInfo>;

export const ANONYMOUS: RequestUser = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

export function bearerToken(header: string | undefined | null): string | undefined {
  if (!header) return undefined;
  const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}
