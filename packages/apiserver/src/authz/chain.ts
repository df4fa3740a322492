// The authorizer chain of --authorization-mode, in kube-apiserver's order: the privileged
// group authorizer first (system:masters may do anything), then the modes as listed. The
// first Allow or Deny decides; when all have no opinion the request is refused.
import type { Attributes, AuthorizationResult, Authorizer } from './types.js';

export const AUTHORIZATION_MODES = ['AlwaysAllow', 'AlwaysDeny', 'Node', 'RBAC'] as const;
export type AuthorizationMode = (typeof AUTHORIZATION_MODES)[number];

/** Parses `--authorization-mode` (comma separated, each once). */
export function parseAuthorizationModes(value: string | readonly string[]): AuthorizationMode[] {
  const parts = (typeof value === 'string' ? value.split(',') : [...value]).map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new Error('--authorization-mode: at least one mode is required');
  const seen = new Set<string>();
  for (const p of parts) {
    if (!(AUTHORIZATION_MODES as readonly string[]).includes(p))
      throw new Error(`--authorization-mode: authorization mode "${p}" is not supported (${AUTHORIZATION_MODES.join(', ')})`);
    if (seen.has(p)) throw new Error(`--authorization-mode: "${p}" specified more than once`);
    seen.add(p);
  }
  return parts as AuthorizationMode[];
}

export const SYSTEM_MASTERS = 'system:masters';
const ALLOW: AuthorizationResult = { decision: 'Allow', reason: '' };

export const privilegedGroups: Authorizer = {
  name: 'PrivilegedGroups',
  authorize: (a) => {
    const groups = a.user?.groups;
    if (groups) for (const g of groups) if (g === SYSTEM_MASTERS) return ALLOW;
    return NO_OPINION;
  },
};

export const alwaysAllow: Authorizer = { name: 'AlwaysAllow', authorize: () => ALLOW };
export const alwaysDeny: Authorizer = { name: 'AlwaysDeny', authorize: () => ({ decision: 'Deny', reason: 'Everything is forbidden.' }) };

const NO_OPINION: AuthorizationResult = { decision: 'NoOpinion', reason: '' };

/** The first Allow or Deny; NoOpinion (with the reasons given) when every authorizer abstains. */
export function runChain(chain: readonly Authorizer[], a: Attributes): AuthorizationResult {
  let reasons: string[] | undefined;
  for (const z of chain) {
    const r = z.authorize(a);
    if (r.decision !== 'NoOpinion') return r;
    if (r.reason) (reasons ??= []).push(r.reason);
  }
  return reasons ? { decision: 'NoOpinion', reason: reasons.join('\n') } : NO_OPINION;
}
