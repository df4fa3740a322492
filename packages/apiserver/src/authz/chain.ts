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

export const privilegedGroups: Authorizer = {
  name: 'PrivilegedGroups',
  authorize: (a) => {
    const groups = a.user?.groups;
    if (groups) for (const g of groups) if (g === SYSTEM_MASTERS) return { decision: 'Allow', reason: '' };
    return { decision: 'NoOpinion', reason: '' };
  },
};

export const alwaysAllow: Authorizer = { name: 'AlwaysAllow', authorize: () => ({ decision: 'Allow', reason: '' }) };
export const alwaysDeny: Authorizer = { name: 'AlwaysDeny', authorize: () => ({ decision: 'Deny', reason: 'Everything is forbidden.' }) };

export interface ChainResult extends AuthorizationResult {
  /** The authorizer that decided, "" when none had an opinion. */
  by: string;
}

export function runChain(chain: readonly Authorizer[], a: Attributes): ChainResult {
  const reasons: string[] = [];
  for (const z of chain) {
    const r = z.authorize(a);
    if (r.decision !== 'NoOpinion') return { ...r, by: z.name };
    if (r.reason) reasons.push(r.reason);
  }
  return { decision: 'NoOpinion', reason: reasons.join('\n'), by: '' };
}
