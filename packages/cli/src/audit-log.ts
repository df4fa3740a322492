// The apiserver's audit log under `k8ts up`: logs/audit.log beside the component logs,
// rotated at 50 MB with 3 old files kept (at most 200 MB: the cluster's own lease renewals
// and leader elections alone write ≈ 4 KB/s). Every request at Metadata, unless the home
// holds an audit policy (audit-policy.yaml, audit.k8s.io/v1 Policy), which is then passed as
// --audit-policy-file; `k8ts up` reads it at each start.
import { existsSync } from 'node:fs';
import type { Home } from './home.js';

export const AUDIT_POLICY_FILE = 'audit-policy.yaml';
export const AUDIT_LOG_MAX_SIZE_MB = 50;
export const AUDIT_LOG_MAX_BACKUPS = 3;

export function auditLogPath(home: Home): string {
  return home.path('logs', 'audit.log');
}

export function auditArgs(home: Home): string[] {
  const args = ['--audit-log-path', auditLogPath(home), '--audit-log-maxsize', String(AUDIT_LOG_MAX_SIZE_MB), '--audit-log-maxbackup', String(AUDIT_LOG_MAX_BACKUPS)];
  const policy = home.path(AUDIT_POLICY_FILE);
  if (existsSync(policy)) args.push('--audit-policy-file', policy);
  return args;
}
